"""Sentences built from the tables, proposed to the user for the narratives.

A narrative that quotes numbers the system computed cannot contradict the tables; this is
how nianbao avoids the commonest published error (a text that says 17 where the table says 95).
Each function returns None while the numbers it needs are not all answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from dialogs.form import Form, RowGroup, Value


def _int(answers: Mapping[str, Value], key: str) -> int | None:
    value = answers.get(key)
    return value if isinstance(value, int) else None


def group_total(form: Form, answers: Mapping[str, Value], group: RowGroup) -> int | None:
    """The sum of the row totals of an outcome group, None while one is unanswered."""
    parts = [_int(answers, form.requests.row_total(row)) for row in group.rows]
    if any(p is None for p in parts):
        return None
    return sum(p for p in parts if p is not None)


def format_amount(value: Decimal | int) -> str:
    """An amount without a trailing .0 and without exponent notation."""
    text = f"{Decimal(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def applications_sentence(form: Form, answers: Mapping[str, Value], year: int) -> str | None:
    """The numbers of 一（二）依申请公开, from table 三's 总计 column."""
    balance = form.balance
    if balance is None:
        return None
    rows = (balance.new, balance.carried_in, balance.processed, balance.carried_out)
    new, carried_in, processed, carried_out = (_int(answers, balance.grid.row_total(r)) for r in rows)
    if new is None or carried_in is None or processed is None or carried_out is None:
        return None
    if new == 0 and carried_in == 0:
        return f"{year}年，本机关未收到政府信息公开申请，无上年结转申请。"
    tables = form.tables
    outcomes = () if tables is None else tables.outcomes
    parts = {group.name: group_total(form, answers, group) for group in outcomes}
    head = (
        f"{year}年，本机关新收政府信息公开申请{new}件，上年结转{carried_in}件，"
        f"办结{processed}件，结转下年度继续办理{carried_out}件。"
    )
    detail = "，".join(f"{label}{n}件" for label, n in parts.items() if n)
    return head + (f"办理结果中，{detail}。" if detail else "")


def review_litigation_sentence(form: Form, answers: Mapping[str, Value], year: int) -> str | None:
    """The 复议/诉讼 sentence from table 四 (诉讼 = 直接起诉 + 复议后起诉)."""
    appeals = form.appeals
    totals = [_int(answers, appeals.row_total(g.key)) for g in appeals.rows]
    if any(t is None for t in totals):
        return None
    review, direct, after = (t for t in totals if t is not None)
    if review == 0 and direct + after == 0:
        return f"{year}年，本机关未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。"
    return (
        f"{year}年，本机关因政府信息公开工作被申请行政复议{review}件，"
        f"被提起行政诉讼{direct + after}件（其中未经复议直接起诉{direct}件，复议后起诉{after}件）。"
    )


def requests_paragraph(form: Form, answers: Mapping[str, Value], year: int) -> str | None:
    apps = applications_sentence(form, answers, year)
    rl = review_litigation_sentence(form, answers, year)
    if apps is None:
        return None
    return apps + (rl or "")


def fee_sentence(form: Form, answers: Mapping[str, Value], year: int) -> str | None:
    """六's 信息处理费 sentence (国办函〔2020〕109号), in 元.

    When 表三（六）2 is not 0, fee notices were sent; the sentence says so (rule T3-FEE-LINK).
    """
    if form.fees is None:
        return None
    fee = answers.get(form.fees.processing_fee)
    if not isinstance(fee, Decimal | int):
        return None
    if fee == 0:
        text = f"{year}年，本机关未收取政府信息公开信息处理费。"
    else:
        text = f"{year}年，本机关依据《政府信息公开信息处理费管理办法》收取政府信息公开信息处理费{format_amount(fee)}元。"
    unpaid = _int(answers, form.requests.row_total(form.fees.unpaid_row))
    if unpaid:
        text += f"因申请人逾期未按收费通知要求缴纳费用、本机关不再处理的政府信息公开申请{unpaid}件。"
    return text


def preamble_sentence(agency: str, year: int) -> str:
    return (
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）第五十条规定编制。"
        f"报告中所列数据统计期限自{year}年1月1日起至{year}年12月31日止。"
        f"如对本报告有疑问，请与{agency}联系。"
    )


def generated_text(
    form: Form, key: str, answers: Mapping[str, Value], *, agency: str, year: int
) -> str | None:
    """The proposed text of a narrative item, by its declared role; None where nothing is generated."""
    texts = form.narratives
    if texts is None:
        return None
    if key == texts.requests:
        return requests_paragraph(form, answers, year)
    if key == texts.other_matters:
        return fee_sentence(form, answers, year)
    if key == texts.preamble:
        return preamble_sentence(agency, year)
    return None
