"""The report title: a published title survives import and every output prints the stored one."""

from __future__ import annotations

import io

import docx
import pytest

from dialogs.form import Form, UnitKind
from dialogs.report_2021 import guess_unit_kind
from dialogs.title import TITLE_KEY
from importer import ImportResult, import_text
from templates import ReportContext, build_context, render_docx, render_html, render_markdown, render_text
from tests.helpers.fixtures import REAL_REPORT_TEXTS
from tests.templates.markup import markdown_to_html, soup

PINGTAN = next(p for p in REAL_REPORT_TEXTS if p.name.startswith("04_pingtan"))
HUAIAN = next(p for p in REAL_REPORT_TEXTS if p.name.startswith("01_huaian"))
HUAIAN_TITLE = "淮安市人民政府2024年政府信息公开工作年度报告"


def _imported(text: str, form: Form) -> ImportResult:
    result = import_text(text, form)
    assert result.is_usable, result.error
    return result


def _context(form: Form, result: ImportResult) -> ReportContext:
    assert result.year is not None
    unit = guess_unit_kind(result.agency)
    return build_context(form, agency=result.agency, unit=unit, year=result.year, answers=result.answers)


def _titles_printed(ctx: ReportContext) -> dict[str, str]:
    page = soup(render_html(ctx))
    document = docx.Document(io.BytesIO(render_docx(ctx)))
    return {
        "txt": render_text(ctx).splitlines()[0],
        "md": soup(markdown_to_html(render_markdown(ctx))).find_all("h1")[0].get_text(),
        "html <title>": page.title.get_text() if page.title else "",
        "html <h1>": page.find_all("h1")[0].get_text(),
        "docx": document.paragraphs[0].text,
        "docx core properties": document.core_properties.title,
    }


def test_a_published_nian_du_title_is_kept_on_import_and_rendered_back(form: Form) -> None:
    # 平潭's report on 2024 was published as 「…2024年度政府信息公开工作年度报告」.
    title = "平潭综合实验区2024年度政府信息公开工作年度报告"
    result = _imported(PINGTAN.read_text(encoding="utf-8"), form)

    assert result.answers[TITLE_KEY] == title
    assert (result.agency, result.year) == ("平潭综合实验区", 2024)
    printed = _titles_printed(_context(form, result))
    assert printed == dict.fromkeys(printed, title)


@pytest.mark.parametrize(
    "printed_title",
    [
        "淮安市人民政府\n2024年度政府信息公开工作年度报告",
        "淮安市人民政府2024年度政府信息公开\n工作年度报告",
        "淮安市人民政府\n2024年度政府信息公开 工作年度报告",
    ],
    ids=["agency-on-its-own-line", "broken-mid-title", "with-a-stray-space"],
)
def test_a_title_printed_over_two_lines_is_imported_as_one(form: Form, printed_title: str) -> None:
    text = HUAIAN.read_text(encoding="utf-8").replace(HUAIAN_TITLE, printed_title, 1)
    result = _imported(text, form)

    assert result.answers[TITLE_KEY] == "淮安市人民政府2024年度政府信息公开工作年度报告"
    assert (result.agency, result.year) == ("淮安市人民政府", 2024)
    assert not [p for p in result.problems if "标题" in p.message]
    assert render_text(_context(form, result)).startswith("淮安市人民政府2024年度政府信息公开工作年度报告\n")


def test_portal_navigation_above_a_title_is_not_joined_to_it(form: Form) -> None:
    text = HUAIAN.read_text(encoding="utf-8").replace(
        HUAIAN_TITLE, f"首页 > 政务公开 > 年报\n{HUAIAN_TITLE}", 1
    )
    result = _imported(text, form)

    assert result.answers[TITLE_KEY] == HUAIAN_TITLE
    assert result.agency == "淮安市人民政府"


def test_without_a_stored_title_the_default_is_printed(form: Form) -> None:
    ctx = build_context(form, agency="某某区行政审批局", unit=UnitKind.DEPARTMENT, year=2025, answers={})
    printed = _titles_printed(ctx)
    assert printed == dict.fromkeys(printed, "某某区行政审批局2025年政府信息公开工作年度报告")


def test_a_long_agency_name_fits_the_docx_core_properties(form: Form) -> None:
    agency = "某" * 300
    ctx = build_context(form, agency=agency, unit=UnitKind.DEPARTMENT, year=2025, answers={})
    document = docx.Document(io.BytesIO(render_docx(ctx)))

    assert document.paragraphs[0].text == ctx.title  # the page keeps the whole title
    assert document.core_properties.title == ctx.title[:255]
    assert document.core_properties.author == agency[:255]
