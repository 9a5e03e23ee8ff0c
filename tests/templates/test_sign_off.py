"""The end of the published report (agency and date, as real reports close) and what no output
may carry: a Word property that does not fit, bidi overrides, terminal escapes (issue 16)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH

from dialogs.form import Form, UnitKind
from importer import import_text
from templates import build_context, render_docx, render_html, render_markdown, render_text
from tests.templates.builders import RealReport

SIGNED = date(2025, 1, 20)


def _signed(form: Form, report: RealReport, *, agency: str | None = None) -> Any:
    return build_context(
        form,
        agency=agency or report.agency,
        unit=UnitKind.GOVERNMENT,
        year=report.year,
        answers=report.answers,
        signed_on=SIGNED,
    )


def test_text_and_markdown_end_with_the_agency_and_the_date(form: Form, huaian: RealReport) -> None:
    ctx = _signed(form, huaian)
    for rendered in (render_text(ctx), render_markdown(ctx)):
        lines = [line for line in rendered.splitlines() if line.strip()]
        assert lines[-2:] == [huaian.agency, "2025年1月20日"]


def test_html_ends_with_the_sign_off_aligned_right(form: Form, huaian: RealReport) -> None:
    page = render_html(_signed(form, huaian))
    assert (
        f'<p class="sign-off">{huaian.agency}</p>\n<p class="sign-off">2025年1月20日</p>\n</article>' in page
    )
    assert "p.sign-off { text-indent: 0; text-align: right; }" in page


def test_word_ends_with_the_sign_off_aligned_right(form: Form, huaian: RealReport) -> None:
    document: Any = docx.Document(io.BytesIO(render_docx(_signed(form, huaian))))
    last = [p for p in document.paragraphs if p.text.strip()][-2:]
    assert [p.text for p in last] == [huaian.agency, "2025年1月20日"]
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.RIGHT for p in last)


def test_a_report_with_its_sign_off_imports_back_to_the_same_answers(form: Form, huaian: RealReport) -> None:
    ctx = _signed(form, huaian)
    first = import_text(
        render_text(
            build_context(
                form, agency=huaian.agency, unit=UnitKind.GOVERNMENT, year=huaian.year, answers=huaian.answers
            )
        ),
        form,
    )
    again = import_text(render_text(ctx), form)
    assert again.is_usable, again.error
    assert again.answers == first.answers
    assert huaian.agency not in str(again.answers.get("text.s6", ""))


def test_a_sign_off_of_the_longest_allowed_name_is_not_read_as_part_of_section_six(
    form: Form, huaian: RealReport
) -> None:
    agency = "某某省某某市某某区" + "局" * 51  # 60 characters, the limit of an agency name
    again = import_text(render_text(_signed(form, huaian, agency=agency)), form)
    assert agency not in str(again.answers.get("text.s6", ""))


@pytest.mark.parametrize("length", [244, 5000])
def test_a_long_agency_name_still_makes_a_word_document(form: Form, huaian: RealReport, length: int) -> None:
    """Names stored before names were checked: the title property is cut, the document keeps it."""
    agency = "局" * length
    document: Any = docx.Document(io.BytesIO(render_docx(_signed(form, huaian, agency=agency))))
    assert len(document.core_properties.title) <= 255
    assert document.paragraphs[0].text.startswith(agency)


def test_no_output_carries_bidi_overrides_escapes_or_zero_width_spaces(
    form: Form, huaian: RealReport
) -> None:
    answers = {**huaian.answers, "text.s5": "问题\u202e一\u200b：\x1b[31m红字\x1b[0m。"}
    ctx = build_context(
        form,
        agency="某\u202e局",
        unit=UnitKind.GOVERNMENT,
        year=huaian.year,
        answers=answers,
        signed_on=SIGNED,
    )
    for rendered in (render_text(ctx), render_markdown(ctx), render_html(ctx)):
        assert "问题一：红字。" in rendered
        for invisible in ("\u202e", "\u200b", "\x1b"):
            assert invisible not in rendered
