"""ReportFacts built from the seed reports (../shared/seeds/*.txt, all-zero tables).

The seeds are exports with artifacts (markdown "#", half-width "(一)", headings alone on a
line or run into their paragraph); this reader handles exactly those. Their tables hold only
zeros, which `seed_facts` checks before it fills every count with 0.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from dialogs.form import UnitKind, Value, ValueKind
from dialogs.report_2021 import form_2021
from dialogs.rules import ReportFacts, SourceFacts

_HEADING = re.compile(r"^#*\s*([一二三四五六])、")
_SUBSECTION = re.compile(r"^#*\s*[（(]\s*([一二三四五])\s*[）)]\s*")
_S1_KEYS = dict(
    zip(
        "一二三四五",
        ("text.s1.active", "text.s1.requests", "text.s1.management", "text.s1.platform", "text.s1.oversight"),
        strict=True,
    )
)
_TITLE_YEAR = re.compile(r"(\d{4})\s*年")
_T2_ROWS = {
    "规章": ("t2.regulations.issued", "t2.regulations.abolished", "t2.regulations.in_force"),
    "行政规范性文件": (
        "t2.normative_documents.issued",
        "t2.normative_documents.abolished",
        "t2.normative_documents.in_force",
    ),
    "行政许可": ("t2.licensing.decisions",),
    "行政处罚": ("t2.penalty.decisions",),
    "行政强制": ("t2.coercion.decisions",),
    "行政事业性收费": ("t2.fees.amount",),
}


def _subsection_body(rest: str) -> str:
    """The text after "（一）": drop a short heading that ends with 。 or ：, or a heading line."""
    m = re.match(r"^[^。：:]{1,20}[。：:]", rest)
    if m:
        return rest[m.end() :].strip()
    return "" if len(rest) <= 20 else rest


def seed_facts(path: Path) -> ReportFacts:
    lines = [line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines()]
    content = [line for line in lines if line.strip()]
    title = content[0].lstrip("#").strip()
    headings: list[str] = []
    texts: dict[str, list[str]] = {}
    key = "text.preamble"
    table2: dict[str, Value] = {}
    for line in content[1:]:
        if "\t" in line:
            cells = [c.strip() for c in line.split("\t")]
            numbers = [c for c in cells[1:] if re.fullmatch(r"\d+(?:\.\d+)?", c)]
            if cells[0] in _T2_ROWS:
                for name, number in zip(_T2_ROWS[cells[0]], numbers, strict=False):
                    table2[name] = Decimal(number) if name == "t2.fees.amount" else int(number)
            else:
                assert all(Decimal(n) == 0 for n in numbers), line  # tables 三 and 四 are all zero
            continue
        text = line.strip()
        if m := _HEADING.match(text):
            headings.append(text)
            key = {"一": "text.overview", "五": "text.s5", "六": "text.s6"}.get(m.group(1), "")
            continue
        if key in ("text.overview", *_S1_KEYS.values()) and (m := _SUBSECTION.match(text)):
            key = _S1_KEYS[m.group(1)]
            text = _subsection_body(text[m.end() :])
        if key and text:
            texts.setdefault(key, []).append(text)
    form = form_2021()
    answers: dict[str, Value] = {k: "\n".join(v) for k, v in texts.items()}
    for f in form.all_fields():
        if f.kind is ValueKind.COUNT and not f.is_computed:
            answers[f.key] = 0
    answers["t2.fees.amount"] = Decimal(0)
    answers.update(table2)
    answers["s6.processing_fee"] = Decimal(0)  # every seed's 六 says none was collected, or "无"
    answers.update(form.compute_totals(answers))
    year_match = _TITLE_YEAR.search(title)
    assert year_match is not None, title
    unit = UnitKind.GOVERNMENT if "人民政府" in title else UnitKind.DEPARTMENT
    source = SourceFacts(title=title, headings=tuple(headings))
    return ReportFacts(form, unit, int(year_match.group(1)), answers, source=source)
