"""Staff import an earlier report of their own agency: which documents fit, and what the refusals say."""

from __future__ import annotations

import pytest

from dialogs.report_2021 import form_2021
from importer import earlier_report_problem, import_text
from importer import messages as msg
from tests.helpers.fixtures import REAL_REPORT_TEXTS

FORM = form_2021()
HONGZE = next(p for p in REAL_REPORT_TEXTS if "hongze" in p.name)
RESULT = import_text(HONGZE.read_text(encoding="utf-8"), FORM)


@pytest.mark.parametrize("agency", ["淮安市洪泽区人民政府", "洪泽区人民政府", "淮安市 洪泽区人民政府"])
def test_last_years_report_of_the_agency_fits_under_the_name_it_is_registered_with(agency: str) -> None:
    assert RESULT.year == 2024
    assert earlier_report_problem(RESULT, agency=agency, year=None, before=2025) == ""


def test_another_agencys_report_is_refused_naming_both() -> None:
    problem = earlier_report_problem(RESULT, agency="淮安市人民政府", year=None, before=2025)
    assert problem == msg.EARLIER_OTHER_AGENCY.format(printed="淮安市洪泽区人民政府", agency="淮安市人民政府")


@pytest.mark.parametrize(("year", "before"), [(None, 2024), (2025, 2025), (2026, 2025)])
def test_a_report_of_the_year_being_filled_or_later_is_refused(year: int | None, before: int) -> None:
    problem = earlier_report_problem(RESULT, agency="洪泽区人民政府", year=year, before=before)
    assert problem == msg.EARLIER_NOT_EARLIER.format(year=year or 2024, before=before)


def test_a_report_without_a_year_asks_for_it_in_the_caption() -> None:
    text = HONGZE.read_text(encoding="utf-8").replace("2024年", "本年")
    result = import_text(text, FORM)
    assert result.is_usable, result.error
    assert result.year is None
    problem = earlier_report_problem(result, agency="洪泽区人民政府", year=None, before=2025)
    assert "2024" in problem
    assert "文件说明" in problem
    assert earlier_report_problem(result, agency="洪泽区人民政府", year=2024, before=2025) == ""


def test_a_refused_import_is_told_by_its_own_error() -> None:
    refused = import_text("", FORM)
    assert not refused.is_usable
    assert earlier_report_problem(refused, agency="洪泽区人民政府", year=None, before=2025) == ""
