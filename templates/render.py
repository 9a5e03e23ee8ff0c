"""From stored answers to the published report: one context, four outputs.

`build_context` does all the work (order of sections, paragraphs, totals, number formatting,
table layout); the Jinja2 templates beside this module and the .docx writer only place its
values. User text is always passed to a template as data, never compiled as one, and each
output escapes it for its own syntax (HTML entities, Markdown backslashes, XML in the .docx).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from enum import Enum
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from dialogs.form import Form, Grid, Section, UnitKind, Value
from dialogs.parsing import clean_text
from dialogs.sentences import fee_sentence
from dialogs.title import report_title
from templates.context import ReportContext, ReportSection, Subsection
from templates.docx_writer import write_docx
from templates.tables import table_2, table_3, table_4

SIGN_OFF_DATE = "{d.year}年{d.month}月{d.day}日"
GOV_EXTRA_SEPARATOR = "："

_TEMPLATE_DIR = Path(__file__).resolve().parent
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Characters XML 1.0 cannot carry (a .docx would not open); tab, LF and CR are allowed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PARAGRAPH_TRIM = " \u3000"


class OutputKind(Enum):
    TEXT = "report.txt.j2"
    MARKDOWN = "report.md.j2"
    HTML = "report.html.j2"


# --- context ---------------------------------------------------------------------------
def _paragraphs(value: Value | None) -> tuple[str, ...]:
    """A narrative answer as its non-empty paragraphs (one per line of the stored text)."""
    if value is None:
        return ()
    text = _NOT_XML.sub("", clean_text(str(value)))
    lines = (line.strip(_PARAGRAPH_TRIM) for line in _LINE_BREAK.split(text))
    return tuple(line for line in lines if line.strip())


def _one_line(text: str) -> str:
    return _LINE_BREAK.sub(" ", _NOT_XML.sub("", clean_text(text))).strip()


def _overview_section(
    form: Form, section: Section, unit: UnitKind, answers: Mapping[str, Value]
) -> ReportSection:
    texts = form.texts
    subsections = []
    for key in texts.subsections:
        paragraphs = list(_paragraphs(answers.get(key)))
        if key == texts.oversight:
            # 条例第五十条第四项: a people's government also reports 考核、评议、追究 under 监督保障.
            for extra_key in texts.government_extras:
                if form.has_item(extra_key) and form.item(extra_key).applies_to(unit):
                    extra = _paragraphs(answers.get(extra_key))
                    if extra:
                        paragraphs.append(f"{form.field(extra_key).label}{GOV_EXTRA_SEPARATOR}{extra[0]}")
                        paragraphs.extend(extra[1:])
        subsections.append(Subsection(form.item(key).title, tuple(paragraphs)))
    return ReportSection(
        section.id,
        section.heading,
        paragraphs=_paragraphs(answers.get(texts.overview)),
        subsections=tuple(subsections),
    )


def _section_of(form: Form, key: str) -> str:
    return form.item_of(key).section


def _first_cell(grid: Grid) -> str:
    return grid.key(grid.rows[0].key, grid.parts[0].key)


def _narrative_paragraphs(form: Form, section: Section, answers: Mapping[str, Value]) -> tuple[str, ...]:
    """The paragraphs of the section's narrative items, in declaration order."""
    return tuple(
        paragraph
        for item in form.items
        if item.section == section.id and item.is_narrative
        for paragraph in _paragraphs(answers.get(item.fields[0].key))
    )


def _other_matters(form: Form, answers: Mapping[str, Value], year: int) -> tuple[str, ...]:
    written = _paragraphs(answers.get(form.texts.other_matters))
    if written:
        return written
    # 六 must state the 信息处理费 (国办函〔2020〕109号); without a text, say it from the number.
    sentence = fee_sentence(form, answers, year)
    return (sentence,) if sentence else ()


def build_context(
    form: Form,
    *,
    agency: str,
    unit: UnitKind,
    year: int,
    answers: Mapping[str, Value],
    signed_on: date | None = None,
) -> ReportContext:
    """The whole report as plain values. Unanswered keys give empty cells and no paragraphs.

    `signed_on` (the submission date, or today for a draft) closes the report with the
    agency's name and that date, as published reports end; without it there is no sign-off.
    """
    values: dict[str, Value] = dict(answers)
    for key, total in form.compute_totals(answers).items():
        values.setdefault(key, total)  # a stored (confirmed or imported) total wins
    texts = form.texts
    tables = {
        _section_of(form, _first_cell(form.documents)): table_2,
        _section_of(form, _first_cell(form.requests)): table_3,
        _section_of(form, _first_cell(form.appeals)): table_4,
    }
    sections: list[ReportSection] = []
    for section in form.sections:
        if section.id == _section_of(form, texts.preamble):
            continue
        if section.id == _section_of(form, texts.overview):
            sections.append(_overview_section(form, section, unit, values))
        elif section.id in tables:
            table = tables[section.id](form, values)
            sections.append(ReportSection(section.id, section.heading, table=table))
        elif section.id == _section_of(form, texts.other_matters):
            paragraphs = _other_matters(form, values, year)
            sections.append(ReportSection(section.id, section.heading, paragraphs=paragraphs))
        else:
            paragraphs = _narrative_paragraphs(form, section, values)
            sections.append(ReportSection(section.id, section.heading, paragraphs=paragraphs))
    clean_agency = _one_line(agency)
    return ReportContext(
        title=_one_line(report_title(form, values, clean_agency, year)),
        agency=clean_agency,
        year=year,
        unit=unit,
        format_version=form.version,
        preamble=_paragraphs(values.get(texts.preamble)),
        sections=tuple(sections),
        sign_off=(clean_agency, SIGN_OFF_DATE.format(d=signed_on)) if signed_on is not None else (),
    )


# --- outputs ----------------------------------------------------------------------------
_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
_MD_BLOCK_START = re.compile(r"^(?:([#+=-])|(\d{1,9})([.)]))")
_MD_LEADING_SPACE = re.compile(r"^[ \t]+")


def markdown_escape(text: str) -> Markup:
    """Text that a Markdown renderer shows literally (one line; inline HTML is entity-escaped)."""
    out = _MD_INLINE.sub(r"\\\1", text)
    out = _MD_BLOCK_START.sub(
        lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", out
    )
    escaped = str(escape(out))
    # Leading blanks would start an indented code block; as character references they stay text.
    return Markup(  # noqa: S704 - built from `escape(...)` output, adds only character references
        _MD_LEADING_SPACE.sub(lambda m: "".join(f"&#{ord(ch)};" for ch in m.group(0)), escaped)
    )


@cache
def _environment(kind: OutputKind) -> Environment:
    """One Jinja2 environment per output kind, built once (templates are compiled on first use)."""
    env = Environment(
        loader=FileSystemLoader(_TEMPLATE_DIR),
        # Plain text is not markup: escaping would print "&lt;". HTML and Markdown escape.
        autoescape=kind is not OutputKind.TEXT,  # noqa: S701
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_escape
    return env


def _render(kind: OutputKind, ctx: ReportContext) -> str:
    text = _environment(kind).get_template(kind.value).render(ctx=ctx)
    return text.rstrip("\n") + "\n"


def render_text(ctx: ReportContext) -> str:
    """The plain-text layout of the published reports: blank-line blocks, tab-separated tables."""
    return _render(OutputKind.TEXT, ctx)


def render_markdown(ctx: ReportContext) -> str:
    """Markdown with # headings; the tables are inline HTML so that merged cells survive."""
    return _render(OutputKind.MARKDOWN, ctx)


def render_html(ctx: ReportContext) -> str:
    """One standalone page (inline CSS, print style for A4) with the official merged tables."""
    return _render(OutputKind.HTML, ctx)


def render_docx(ctx: ReportContext) -> bytes:
    """A Word document in the official layout (A4, 公文 fonts, merged table headers, page numbers)."""
    return write_docx(ctx)
