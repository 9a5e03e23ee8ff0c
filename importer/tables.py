"""Table cells → answers: tables 二, 三 and 四 read by their printed labels, never by position.

A row's numbers are its numeric cells, whatever empty cells the export added; labels are matched
loosely (full/half-width, "1、"/"1."/"1. ", spaces, typos through a similarity ratio and the row
group). Printed totals are kept as printed (the rules check them later); nothing is recomputed.
A missing row or a row with the wrong count of numbers is fatal. Each reader records how many of
its table's cells it read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from dialogs.form import Field, Form, Row, Value, ValueKind
from importer import flat
from importer import messages as msg
from importer.lines import Line, fold, label_parts, number, ratio, table_cells, unglue
from importer.notes import Collector

# --- 表二 --------------------------------------------------------------------------------
_T2_OLD_COLUMNS = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量")
_T2_HEADER_WORDS = ("第二十条", "信息内容", "本年制发件数", "本年处理决定数量", "本年收费金额")
_MIN_LABEL_RATIO = 0.75


@dataclass(frozen=True, slots=True)
class _T2Row:
    label: str
    fields: tuple[Field, ...]


def _t2_rows(form: Form) -> list[_T2Row]:
    """The rows of the form's printed blocks of table 二, in table order, with the fields of their cells."""
    return [
        _T2Row(label, tuple(form.field(key) for key in keys))
        for block in form.blocks
        for label, keys in block.rows
    ]


def read_table2(lines: Sequence[Line], heading_line: Line, heading: str, form: Form, out: Collector) -> None:
    rows = _t2_rows(form)
    seen: set[str] = set()
    for line in lines:
        words, numbers = table_cells(line)
        run = ""
        glued = unglue(line.filled[0]) if len(line.filled) == 1 and not numbers else None
        if glued is not None and glued.label and len(glued.runs) == 1:  # "行政规范性文件308"
            words, run = [glued.label], glued.runs[0]
        joined = fold("".join(words))
        old = next((c for c in _T2_OLD_COLUMNS if c in joined), None)
        if old is not None:
            out.note(line, msg.T2_OLD_FORMAT.format(column=old), fatal=True)
            continue
        if not numbers and any(word in joined for word in _T2_HEADER_WORDS):
            continue
        label = fold(words[0]) if words else ""
        row = max(rows, key=lambda r: ratio(label, fold(r.label)))
        if not label or ratio(label, fold(row.label)) < _MIN_LABEL_RATIO:
            if numbers:
                out.note(line, msg.T2_UNKNOWN_ROW.format(label=line.text), fatal=False)
            else:
                out.note(line, msg.TABLE_TEXT_UNPLACED.format(heading=heading))
            continue
        if row.label in seen:
            out.note(line, msg.T2_DUPLICATE.format(label=row.label), fatal=True)
            continue
        seen.add(row.label)
        cells = _split_t2(line, row, run, out) if run else numbers
        if cells is not None:
            _place_t2(line, row, cells, out)
    for row in rows:
        if row.label not in seen:
            # A row the agency left out (some print no 规章 row): the rest is read, the row is asked.
            out.note(heading_line, msg.T2_MISSING.format(label=row.label))
            out.missing_rows[row.label] = tuple(f.key for f in row.fields)


def _split_t2(line: Line, row: _T2Row, run: str, out: Collector) -> list[Decimal] | None:
    """A row's digits printed in one run: one field takes it, several are cut (only one cut counts)."""
    if len(row.fields) == 1:
        value = number(run)
        return [value] if value is not None else []
    cuts = flat.split_runs((run,), [len(row.fields)], totals=False)
    if len(cuts) == 1:
        return [Decimal(v) for v in cuts[0]]
    out.note(line, _split_message("二", row.label, run, cuts, len(row.fields)))
    return None


def _split_message(table: str, label: str, digits: str, cuts: Sequence[tuple[int, ...]], cells: int) -> str:
    if not cuts:
        return msg.SPLIT_NONE.format(table=table, label=label, digits=digits, cells=cells)
    shown = msg.SPLIT_OR.join(msg.SPLIT_CELL.join(str(v) for v in cut) for cut in cuts[: msg.SPLIT_SHOWN])
    if len(cuts) > msg.SPLIT_SHOWN:
        shown += msg.SPLIT_MORE.format(
            count=len(cuts) if len(cuts) < flat.MAX_SPLITS else f"{flat.MAX_SPLITS}+"
        )
    return msg.SPLIT_AMBIGUOUS.format(table=table, label=label, digits=digits, options=shown, cells=cells)


def _place_t2(line: Line, row: _T2Row, numbers: list[Decimal], out: Collector) -> None:
    expected = len(row.fields)
    if expected == 1 and len(numbers) > 1:
        out.note(line, msg.T2_LAST_OF_MANY.format(label=row.label, got=len(numbers)))
        numbers = numbers[-1:]
    if len(numbers) != expected:
        out.note(
            line, msg.T2_WRONG_COUNT.format(label=row.label, expected=expected, got=len(numbers)), fatal=True
        )
        return
    for f, value in zip(row.fields, numbers, strict=True):
        if f.kind is ValueKind.AMOUNT:
            out.answers[f.key] = value
        elif value != value.to_integral_value():
            out.note(line, msg.T2_NOT_INTEGER.format(label=row.label, value=value), fatal=True)
        else:
            out.answers[f.key] = int(value)


# --- 表三 --------------------------------------------------------------------------------
_T3_HEADER_WORDS = ("勾稽", "申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构", "总计")
_GROUP_LABEL = re.compile(r"^\(([一二三四五六七八九十])\)(.*)$")
_MIN_GROUP_RATIO = 0.5
_MIN_IN_GROUP_RATIO = 0.5


@dataclass(slots=True)
class _T3Context:
    group: str | None = None
    seen: set[str] = field(default_factory=set)
    group_rows: list[tuple[Line, str, list[Decimal], str]] = field(default_factory=list)
    runs: list[tuple[Line, Row, str, str]] = field(default_factory=list)
    """Rows printed with their digits in one run: (line, row, digits, label shown), cut at the end."""


def _match_group(word: str, groups: Sequence[str]) -> str | None:
    """The row group ("（三）不予公开") a cell names; the numbering must agree."""
    m = _GROUP_LABEL.match(fold(word))
    if m is None:
        return None
    for group in groups:
        g = _GROUP_LABEL.match(fold(group))
        if g is None or g.group(1) != m.group(1):
            continue
        if not m.group(2) or ratio(m.group(2), g.group(2)) >= _MIN_GROUP_RATIO:
            return group
    return None


def _is_row_part(word: str, parts: Sequence[str]) -> bool:
    """Whether a cell names one of the parts the rows are printed under (三、本年度办理结果)."""
    folded = fold(word)
    return any(
        folded == official or (folded[:2] == official[:2] and ratio(folded, official) >= _MIN_LABEL_RATIO)
        for official in map(fold, parts)
    )


def _match_t3_row(label: str, rows: Sequence[Row], group: str | None) -> Row | None:
    folded = fold(label)
    exact = [r for r in rows if fold(r.label) == folded]
    if len(exact) == 1:
        return exact[0]
    if exact and group is not None:
        in_group = [r for r in exact if r.group == group]
        if len(in_group) == 1:
            return in_group[0]
    if group is not None:  # numbered leaves: the group and the number decide, the text confirms
        number = re.match(r"^(\d+)\.", folded)
        candidates = [r for r in rows if r.group == group]
        if number is not None:
            candidates = [r for r in candidates if fold(r.label).startswith(number.group(0))]
        if candidates:
            best = max(candidates, key=lambda r: ratio(folded, fold(r.label)))
            if ratio(folded, fold(best.label)) >= _MIN_IN_GROUP_RATIO:
                return best
    best = max(rows, key=lambda r: ratio(folded, fold(r.label)))
    return best if ratio(folded, fold(best.label)) >= _MIN_LABEL_RATIO else None


def read_table3(lines: Sequence[Line], heading_line: Line, heading: str, form: Form, out: Collector) -> None:
    rows = form.t3_rows
    groups = tuple(dict.fromkeys(r.group for r in rows if r.group))
    parts = form.requests.row_parts
    ctx = _T3Context()
    for line in lines:
        words, numbers = table_cells(line)
        run = ""
        glued = unglue(line.filled[0]) if len(line.filled) == 1 else None
        if glued is not None and len(glued.runs) == 1 and len(numbers) != len(form.t3_columns):
            words, numbers, run = label_parts(glued.label), [], glued.runs[0]
        group: str | None = None
        leaf: list[str] = []
        has_part = False
        for word in words:
            if not leaf and _is_row_part(word, parts):
                has_part = True
                continue
            matched_group = _match_group(word, groups) if not leaf else None
            if matched_group is not None:
                group = matched_group
            else:
                leaf.append(word)
        if group is not None:
            ctx.group = group
        if not leaf:
            if group is not None and (numbers or run):
                ctx.group_rows.append((line, group, numbers, run))
            elif numbers or run:
                out.note(line, msg.T3_UNKNOWN_ROW.format(label=line.text))
            elif group is None and not has_part and not _is_t3_header(line):
                out.note(line, msg.TABLE_TEXT_UNPLACED.format(heading=heading))
            continue
        label = " ".join(leaf)
        row = _match_t3_row(label, rows, ctx.group)
        if row is None:
            if numbers or run:
                out.note(line, msg.T3_UNKNOWN_ROW.format(label=label))
            elif not _is_t3_header(line):
                out.note(line, msg.TABLE_TEXT_UNPLACED.format(heading=heading))
            continue
        ctx.group = row.group or None
        if fold(label) != fold(row.label):
            out.row_labels[row.key] = label
            out.note(line, msg.T3_LABEL_DIFFERS.format(printed=label, official=row.label))
        _place_t3(line, row, numbers, form, ctx, out, run=run)
    _place_group_rows(rows, form, ctx, out)
    _cut_runs(form, ctx, out)
    missing = [r for r in rows if r.key not in ctx.seen]
    if missing:
        labels = "、".join(f"「{r.group}{r.label}」" if r.group else f"「{r.label}」" for r in missing)
        out.note(lines[-1] if lines else heading_line, msg.T3_MISSING.format(labels=labels), fatal=True)


def _is_t3_header(line: Line) -> bool:
    joined = fold("".join(line.filled))
    return any(word in joined for word in _T3_HEADER_WORDS)


def _place_group_rows(rows: Sequence[Row], form: Form, ctx: _T3Context, out: Collector) -> None:
    """Group labels printed with numbers: the 2019 single （六） row, or subtotals the format lacks.

    Decided after the whole table is read: a (六) line is the old single row only when none of
    the three 2021 rows was printed.
    """
    for line, group, numbers, run in ctx.group_rows:
        members = [r for r in rows if r.group == group]
        taker = form.legacy_rows.get(group)
        target = next((r for r in members if r.key == taker), None)
        if target is None or any(r.key in ctx.seen for r in members):
            out.note(line, msg.T3_SUBTOTAL.format(label=group))
            continue
        if not _place_t3(line, target, numbers, form, ctx, out, label=group, run=run):
            continue
        for row in members:
            if row is not target:
                for column in form.t3_columns:
                    out.answers[form.requests.key(row.key, column.key)] = 0
                ctx.seen.add(row.key)
        out.old_other_row = True
        out.note(line, msg.T3_OLD_OTHER_ROW)


def _place_t3(
    line: Line,
    row: Row,
    numbers: list[Decimal],
    form: Form,
    ctx: _T3Context,
    out: Collector,
    *,
    label: str = "",
    run: str = "",
) -> bool:
    shown = label or (f"{row.group}{row.label}" if row.group else row.label)
    if row.key in ctx.seen:
        out.note(line, msg.T3_DUPLICATE.format(label=shown), fatal=True)
        return False
    ctx.seen.add(row.key)
    if run:
        ctx.runs.append((line, row, run, shown))
        return True
    columns = form.t3_columns
    if not numbers:
        out.note(line, msg.T3_NO_NUMBERS.format(label=shown), fatal=True)
        return False
    if len(numbers) != len(columns):
        out.note(line, msg.T3_WRONG_COUNT.format(label=shown, got=len(numbers)), fatal=True)
        return False
    for column, value in zip(columns, numbers, strict=True):
        if value != value.to_integral_value():
            out.note(line, msg.T3_NOT_INTEGER.format(label=shown, value=value), fatal=True)
            return False
        out.answers[form.requests.key(row.key, column.key)] = int(value)
    return True


_MAX_COMBINATIONS = 4096


def _cut_runs(form: Form, ctx: _T3Context, out: Collector) -> None:
    """Cut the rows printed as one run of digits: every row's own total, then the column identities.

    A row with one cut takes it. The rows with several are tried together against table 三's
    identities (（七） = the results, 一+二 = （七）+四), with the rows already read: the cuts that
    agree with every identity decide a row when they all cut it the same way. A row still open
    (several cuts, or none) is named with its digits and left for the person.
    """
    columns = [c.key for c in form.t3_columns]
    rules = flat.identities(form)
    options: list[list[dict[str, int]]] = []
    for _, row, run, _ in ctx.runs:
        keys = [form.requests.key(row.key, c) for c in columns]
        found = flat.split_runs((run,), [len(keys)], totals=True)
        options.append([dict(zip(keys, cut, strict=True)) for cut in found])
    open_rows = [n for n, row_options in enumerate(options) if len(row_options) > 1]
    combinations = 1
    for n in open_rows:
        combinations *= len(options[n])
    if open_rows and combinations <= _MAX_COMBINATIONS:
        known = dict(out.answers)
        for row_options in options:
            if len(row_options) == 1:
                known.update(row_options[0])
        combos: list[list[dict[str, int]]] = [[]]
        for n in open_rows:
            combos = [[*combo, cut] for combo in combos for cut in options[n]]
        agreeing = [combo for combo in combos if _agrees(rules, known, combo)]
        if agreeing:
            for position, n in enumerate(open_rows):
                distinct = list({tuple(c[position].values()): c[position] for c in agreeing}.values())
                options[n] = distinct
    for (line, _, run, shown), row_options in zip(ctx.runs, options, strict=True):
        if len(row_options) == 1:
            out.answers.update(row_options[0])
            continue
        values = [tuple(cut.values()) for cut in row_options]
        out.note(line, _split_message("三", shown, run, values, len(columns)))


def _agrees(rules: Sequence[flat.Identity], known: dict[str, Value], combo: Sequence[dict[str, int]]) -> bool:
    values = dict(known)
    for cut in combo:
        values.update(cut)
    return all(flat.holds(rule, values) is not False for rule in rules)


# --- 表四 --------------------------------------------------------------------------------
_T4_HEADER_WORDS = ("复议", "诉讼", "维持", "纠正", "结果", "审结", "总计", "起诉")


def read_table4(lines: Sequence[Line], heading_line: Line, heading: str, form: Form, out: Collector) -> None:
    keys = table4_keys(form)
    numbers: list[Decimal] = []
    runs: list[str] = []
    last = heading_line
    for line in lines:
        _, found = table_cells(line)
        glued = unglue(line.filled[0]) if len(line.filled) == 1 else None
        if glued is not None:
            runs.extend(glued.runs)
        if found or glued is not None:
            numbers.extend(found)
            last = line
            continue
        joined = fold("".join(line.filled))
        if _is_t4_header(joined, form):
            continue
        if not any(word in joined for word in _T4_HEADER_WORDS) or len(joined) > len(line.filled) * 12:
            out.note(line, msg.TABLE_TEXT_UNPLACED.format(heading=heading))
    groups = [len(form.t4_results)] * len(form.t4_groups)
    if len(numbers) != len(keys) and runs and len(runs) <= len(groups):  # the digits ran together
        cuts = flat.split_runs(runs, groups, totals=True)
        if len(cuts) != 1:
            out.note(last, _split_message("四", msg.T4_LABEL, " ".join(runs), cuts, len(keys)))
            return
        numbers = [Decimal(v) for v in cuts[0]]
    if len(numbers) != len(keys):
        out.note(last, msg.T4_WRONG_COUNT.format(got=len(numbers)), fatal=True)
        return
    for key, value in zip(keys, numbers, strict=True):
        if value != value.to_integral_value():
            out.note(last, msg.T4_NOT_INTEGER.format(value=value), fatal=True)
            return
        out.answers[key] = int(value)


def _is_t4_header(joined: str, form: Form) -> bool:
    """A header row printed in one run ("结果维持结果纠正其他结果尚未审结总计……"): nothing but labels."""
    groups = form.t4_groups
    labels = (
        [g.label for g in groups] + [c.label for c in form.t4_results] + [g.group for g in groups if g.group]
    )
    for label in sorted(labels, key=len, reverse=True):
        joined = joined.replace(fold(label), "")
    return not joined


# --- the cells of each table -------------------------------------------------------------
def table2_keys(form: Form) -> list[str]:
    return [f.key for row in _t2_rows(form) for f in row.fields]


def table3_keys(form: Form) -> list[str]:
    return [form.requests.key(r.key, c.key) for r in form.t3_rows for c in form.t3_columns]


def table4_keys(form: Form) -> list[str]:
    return [form.appeals.key(g.key, r.key) for g in form.t4_groups for r in form.t4_results]
