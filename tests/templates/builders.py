"""Whole-report answers (tables + narratives) built from the real reports in ../shared."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dialogs.form import UnitKind, Value
from dialogs.report_2021 import S1_SUBSECTIONS
from tests.helpers.fixtures import answers_from_json, load_json

TITLE_TAIL = "年政府信息公开工作年度报告"


@dataclass(frozen=True, slots=True)
class RealReport:
    name: str
    agency: str
    year: int
    answers: dict[str, Value]
    paragraphs: tuple[str, ...]
    """Every narrative paragraph as the renderers should print it (subsection headings stripped)."""


def _strip_heading(paragraph: str) -> str:
    """（一）主动公开情况。2024年… → 2024年… (the renderers print their own subsection headings)."""
    if not paragraph.startswith("（"):
        raise ValueError(f"not a subsection paragraph: {paragraph[:20]}")
    return paragraph.split("。", 1)[1]


def narrative_answers(path: Path) -> dict[str, Value]:
    narrative = load_json(path)["narrative"]
    overall: list[str] = narrative["s1_overall"]
    answers: dict[str, Value] = {"text.preamble": narrative["preamble"], "text.overview": overall[0]}
    for (key, _), paragraph in zip(S1_SUBSECTIONS, overall[1:], strict=True):
        answers[key] = _strip_heading(paragraph)
    answers["text.s5"] = "\n".join(narrative["s5_problems_and_improvements"])
    answers["text.s6"] = "\n".join(narrative["s6_other_matters"])
    return answers


def real_report(path: Path) -> RealReport:
    report = load_json(path)["report"]
    title: str = report["title"]
    year = int(report["year"])
    agency = title.removesuffix(f"{year}{TITLE_TAIL}")
    narratives = narrative_answers(path)
    paragraphs = tuple(p for value in narratives.values() for p in str(value).split("\n"))
    return RealReport(
        name=path.stem,
        agency=agency,
        year=year,
        answers={**answers_from_json(path), **narratives},
        paragraphs=paragraphs,
    )


UNIT = UnitKind.GOVERNMENT
