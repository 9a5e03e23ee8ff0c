"""User text comes out literally in every format and never breaks a document or runs as a template."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn

from dialogs.form import Form, UnitKind, Value
from templates import ReportContext, build_context, render_docx, render_html, render_markdown, render_text
from tests.templates.markup import markdown_to_html, paragraphs, soup

AGENCY = '<b>某某</b>局 & "{{ agency }}" \'{% raw %}'
HOSTILE = (
    '<script>alert("x")</script> & &amp; {{ 7*7 }} {% if true %}T{% endif %} {# c #} \'q\' "dq"',
    "a\tb\t\tc（表格里的制表符）",
    "# not a heading",
    "- not a list",
    "+ not a list either",
    "1. not an ordered list",
    "2024) also not a list",
    "> not a quote",
    "---",
    "===",
    "\tleading tab is not code",
    "*emphasis* _under_ **bold** `code` [link](http://127.0.0.1/) ![img](x.png) ~~strike~~ | pipe |",
    "<!-- comment --> <div>block</div> &lt;entity&gt; &#49; \\ backslash at end\\",
    "]]> <w:p/> 1 < 2 > 0",
)
TEXT: str = "\n".join(HOSTILE)


@pytest.fixture
def hostile(form: Form) -> ReportContext:
    answers: dict[str, Value] = {
        "text.s5": TEXT,
        "text.gov.assessment": HOSTILE[0],
        "text.preamble": "前言。",
    }
    return build_context(form, agency=AGENCY, unit=UnitKind.GOVERNMENT, year=2024, answers=answers)


def test_context_keeps_the_text_as_typed(hostile: ReportContext) -> None:
    assert hostile.section("s5").paragraphs == HOSTILE
    assert hostile.title == f"{AGENCY}2024年政府信息公开工作年度报告"


def test_plain_text_prints_it_verbatim(hostile: ReportContext) -> None:
    lines = render_text(hostile).split("\n")
    assert lines[0] == hostile.title
    for paragraph in HOSTILE:
        assert paragraph in lines
    assert f"工作考核结果情况：{HOSTILE[0]}" in lines


def test_html_shows_it_as_text_and_adds_no_elements(hostile: ReportContext) -> None:
    document = soup(render_html(hostile))
    shown = paragraphs(document)
    for paragraph in HOSTILE:
        assert paragraph in shown
    assert document.title is not None
    assert document.title.get_text() == hostile.title
    assert [h.get_text() for h in document.find_all("h1")] == [hostile.title]
    assert not document.find_all(["script", "b", "w:p"])
    assert all(div.get("class") == ["table-wrap"] for div in document.find_all("div"))


def test_markdown_renders_back_to_the_same_text_and_no_markup(hostile: ReportContext) -> None:
    document = soup(markdown_to_html(render_markdown(hostile)))
    shown = paragraphs(document)
    for paragraph in HOSTILE:
        assert paragraph in shown
    assert [h.get_text() for h in document.find_all("h1")] == [hostile.title]
    produced = {tag.name for tag in document.find_all(True)}
    assert produced <= {"h1", "h2", "h3", "p", "table", "colgroup", "col", "thead", "tbody", "tr", "th", "td"}


def test_docx_opens_and_holds_the_literal_text(hostile: ReportContext) -> None:
    document = docx.Document(io.BytesIO(render_docx(hostile)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == hostile.title
    for paragraph in HOSTILE:
        assert paragraph in texts
    assert document.core_properties.title == hostile.title
    tab_paragraph = document.paragraphs[texts.index(HOSTILE[1])]
    assert len(list(tab_paragraph._p.iter(qn("w:tab")))) == 3  # real tabs, not spaces


def test_characters_xml_cannot_hold_are_dropped_not_fatal(form: Form) -> None:
    answers: dict[str, Value] = {"text.s5": "控制\x00字符\x0b与\x1f代理\ud800。"}
    ctx = build_context(form, agency="局\x07", unit=UnitKind.DEPARTMENT, year=2024, answers=answers)
    assert ctx.section("s5").paragraphs == ("控制字符与代理。",)
    document = docx.Document(io.BytesIO(render_docx(ctx)))
    assert "控制字符与代理。" in [p.text for p in document.paragraphs]
    assert "控制字符与代理。" in render_html(ctx)


def test_line_breaks_in_the_agency_name_do_not_split_the_title(form: Form) -> None:
    ctx = build_context(form, agency="某某\n局", unit=UnitKind.DEPARTMENT, year=2024, answers={})
    assert render_text(ctx).split("\n")[0] == "某某 局2024年政府信息公开工作年度报告"
