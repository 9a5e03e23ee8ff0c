"""Answers → the lines a person would type into the terminal assistant, item by item."""

from __future__ import annotations

from collections.abc import Mapping

from dialogs.form import Form, UnitKind, Value
from dialogs.sentences import format_amount

KIND_CHOICE = {UnitKind.DEPARTMENT: "1", UnitKind.GOVERNMENT: "2"}


def value_token(value: Value) -> str:
    return value if isinstance(value, str) else format_amount(value)


def item_lines(
    form: Form, unit: UnitKind, answers: Mapping[str, Value], *, cell_by_cell: frozenset[str] = frozenset()
) -> list[list[str]]:
    """One list of lines per item, in dialog order; a missing narrative is skipped (跳过), or
    answered 无 where the item records that as "nothing to report"."""
    out: list[list[str]] = []
    for item in form.items_for(unit):
        if item.is_narrative:
            text = answers.get(item.fields[0].key)
            if isinstance(text, str) and text.strip():
                out.append([*(p for p in text.split("\n") if p.strip()), "完成"])
            else:
                out.append(["无"] if item.none_text else ["跳过"])
            continue
        # A published 六 that says only 无 states no 信息处理费: the clerk answers 0.
        values = [
            value_token(answers.get(f.key, 0 if f.key == "s6.processing_fee" else answers[f.key]))
            for f in item.fields
        ]
        out.append(values if item.id in cell_by_cell else [" ".join(values)])
    return out


def onboarding_lines(agency: str, unit: UnitKind, year: int) -> list[str]:
    return [agency, KIND_CHOICE[unit], str(year)]


def full_script(
    form: Form, agency: str, unit: UnitKind, year: int, answers: Mapping[str, Value], **kw: frozenset[str]
) -> list[str]:
    lines = onboarding_lines(agency, unit, year)
    for item in item_lines(form, unit, answers, **kw):
        lines.extend(item)
    return [*lines, "提交", "确认提交"]
