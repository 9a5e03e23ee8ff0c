"""The real reports in ../shared as answers keyed like the form (test builders)."""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from dialogs.form import Value
from dialogs.report_2021 import T4_GROUPS, T4_RESULTS, T4_TOTAL, t3_key, t4_key

# The repository is cloned with shared/ beside it (developers and CI alike).
SHARED = Path(os.environ.get("NIANBAO_SHARED", Path(__file__).resolve().parents[3] / "shared"))
REAL_REPORTS = sorted((SHARED / "real_reports").glob("*.json"))
REAL_REPORT_TEXTS = sorted((SHARED / "real_reports").glob("*.txt"))
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))

_T3_ROW_NAMES = {"new_received": "new", "carried_over": "carried_in", "carried_forward": "carried_out"}
_T2 = {
    ("art20_1", "regulations"): "t2.regulations",
    ("art20_1", "normative_documents"): "t2.normative_documents",
}


def load_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def answers_from_json(path: Path) -> dict[str, Value]:
    """Table values of a real report's JSON, keyed like the 2021 form (narratives excluded)."""
    data = load_json(path)
    answers: dict[str, Value] = {}
    t2 = data["table2_active_disclosure"]
    for (part, name), prefix in _T2.items():
        for column, value in t2[part][name].items():
            answers[f"{prefix}.{column}"] = int(value)
    answers["t2.licensing.decisions"] = int(t2["art20_5"]["administrative_licensing"])
    answers["t2.penalty.decisions"] = int(t2["art20_6"]["administrative_penalty"])
    answers["t2.coercion.decisions"] = int(t2["art20_6"]["administrative_coercion"])
    answers["t2.fees.amount"] = Decimal(str(t2["art20_8"]["administrative_fees_10k_yuan"]))
    for row, columns in data["table3_applications"]["rows"].items():
        key = _T3_ROW_NAMES.get(row, row)
        for column, value in columns.items():
            answers[t3_key(key, column)] = int(value)
    names = {
        "administrative_review": "review",
        "litigation_direct": "litigation_direct",
        "litigation_after_review": "litigation_after_review",
    }
    t4 = data["table4_review_litigation"]
    for source, group in names.items():
        for result in (*T4_RESULTS, T4_TOTAL):
            answers[t4_key(group, result.key)] = int(t4[source][result.key])
    assert {g.key for g in T4_GROUPS} == set(names.values())
    fee = data.get("information_processing_fee_yuan")
    if fee is not None:
        answers["s6.processing_fee"] = Decimal(str(fee))
    return answers


_SUBSECTION_HEADING = re.compile(r"^（[一二三四五]）[^。]{0,30}。")
_S1_KEYS = (
    "text.s1.active",
    "text.s1.requests",
    "text.s1.management",
    "text.s1.platform",
    "text.s1.oversight",
)


def strip_subsection_heading(paragraph: str) -> str:
    """'（一）主动公开情况。text…' → 'text…' (the form stores narratives without headings)."""
    return _SUBSECTION_HEADING.sub("", paragraph, count=1).strip()


def narratives_from_json(path: Path) -> dict[str, Value]:
    """The narratives of a real report's JSON, keyed like the form.

    s1_overall's paragraphs before （一） are the overview; each （n） paragraph opens subsection n
    and the paragraphs after it (until the next heading) belong to it.
    """
    narrative = load_json(path)["narrative"]
    out: dict[str, list[str]] = {}
    current = "text.overview"
    for paragraph in narrative["s1_overall"]:
        for n, key in enumerate(_S1_KEYS):
            if paragraph.startswith(f"（{'一二三四五'[n]}）"):
                current = key
                paragraph = strip_subsection_heading(paragraph)
                break
        if paragraph:
            out.setdefault(current, []).append(paragraph)
    if narrative.get("preamble"):
        out["text.preamble"] = [narrative["preamble"]]
    out["text.s5"] = list(narrative["s5_problems_and_improvements"])
    out["text.s6"] = list(narrative["s6_other_matters"])
    return {key: "\n".join(paragraphs) for key, paragraphs in out.items() if paragraphs}
