"""Whole-report answers (tables + narratives) built from the real reports in ../shared."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dialogs.form import UnitKind, Value
from tests.helpers.fixtures import answers_from_json, load_json, narratives_from_json

TITLE_TAIL = "年政府信息公开工作年度报告"


@dataclass(frozen=True, slots=True)
class RealReport:
    name: str
    agency: str
    year: int
    answers: dict[str, Value]
    paragraphs: tuple[str, ...]
    """Every narrative paragraph as the renderers should print it (subsection headings stripped)."""


def real_report(path: Path) -> RealReport:
    report = load_json(path)["report"]
    title: str = report["title"]
    year = int(report["year"])
    agency = title.removesuffix(f"{year}{TITLE_TAIL}")
    narratives = narratives_from_json(path)
    paragraphs = tuple(p for value in narratives.values() for p in str(value).split("\n"))
    return RealReport(
        name=path.stem,
        agency=agency,
        year=year,
        answers={**answers_from_json(path), **narratives},
        paragraphs=paragraphs,
    )


UNIT = UnitKind.GOVERNMENT
