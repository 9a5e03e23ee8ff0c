"""ReportFacts built from the real reports in ../shared (answers, narratives, source facts)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dialogs.form import UnitKind, Value
from dialogs.report_2021 import T3_COLUMNS, form_2021, t3_key
from dialogs.rules import ReportFacts, SourceFacts
from tests.helpers.fixtures import REAL_REPORTS, answers_from_json, load_json, narratives_from_json


def real_report(name: str) -> Path:
    return next(p for p in REAL_REPORTS if p.stem.startswith(name) or name in p.stem)


# Last year's cells as the JSON `checks` details state them (the 2023 reports are not stored):
# 洪泽 "2023 结转下年度 0", "行政规范性文件 现行有效: 2023 5"; 平潭 "2023 结转下年度 0",
# "2023 现行有效 470". A total of 0 结转 means every column was 0.
_ZERO_CARRIED_OUT: dict[str, Value] = {t3_key("carried_out", c.key): 0 for c in T3_COLUMNS}
PREVIOUS: dict[str, dict[str, Value]] = {
    "03_hongze_district_2024": {**_ZERO_CARRIED_OUT, "t2.normative_documents.in_force": 5},
    "04_pingtan_zone_2024": {**_ZERO_CARRIED_OUT, "t2.normative_documents.in_force": 470},
}

# What the JSON says about each imported document beyond its numbers (report.format_notes and
# the FORMAT_ROW_LABELS check): 洪泽 keeps the 2019 single （六） row and the typo below.
_ROW_LABEL_TYPOS = {"03_hongze_district_2024": {"deny_law_forbidden": "2.其他法律行政止公开"}}
_OLD_OTHER_ROW = {"03_hongze_district_2024"}


def real_facts(path: Path) -> ReportFacts:
    data = load_json(path)
    report = data["report"]
    answers = {**answers_from_json(path), **narratives_from_json(path)}
    source = SourceFacts(
        title=report["title"],
        row_labels=_ROW_LABEL_TYPOS.get(path.stem, {}),
        old_other_row=path.stem in _OLD_OTHER_ROW,
        published=date.fromisoformat(report["published_date"]),
    )
    # All three are reports of people's governments (平潭's 管委会 publishes like one, by 3月31日).
    return ReportFacts(
        form_2021(),
        UnitKind.GOVERNMENT,
        int(report["year"]),
        answers,
        PREVIOUS.get(path.stem),
        report["agency"],
        source,
    )
