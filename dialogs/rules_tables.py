"""Table rules beyond the 勾稽关系: amounts and their units, and links between cells.

The core arithmetic (T3-BAL, T3-SUM, T3-COL, T4-SUM, NUM-TYPE) is in `dialogs.rules`.
These rules cover what the existing checkers are blind to: the 万元 unit and precision of
the 行政事业性收费 cell, the 元 precision of the 信息处理费, the link between 表三（六）2
and the fee notices described in 六, and 规章 entered by a unit that cannot make them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from dialogs.form import UnitKind
from dialogs.rules import Hit, ReportFacts, Rule, Severity, hit
from dialogs.sentences import format_amount
from dialogs.textscan import yuan_amounts

MAX_FEE_DECIMALS = 4
"""万元 to 4 decimals is 1 元; more digits mean the amount was converted or typed in 元."""
LIKELY_YUAN = {UnitKind.DEPARTMENT: Decimal(1_000_000), UnitKind.GOVERNMENT: Decimal(10_000_000)}
"""万元 amounts at or above these (100亿元 / 1000亿元) are almost surely 元 typed into a 万元 cell."""

_FEE_NOTICE = re.compile(r"收费通知|缴费通知|缴纳费用|缴费|未缴纳|逾期未按")


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _fee_unit(facts: ReportFacts) -> Iterable[Hit]:
    fees, other_matters = facts.form.fee_keys, facts.form.texts.other_matters
    amount = facts.amount(fees.amount)
    if amount is not None and amount > 0:
        shown = format_amount(amount)
        if _decimals(amount) > MAX_FEE_DECIMALS:
            yield hit(
                fees.amount, case="decimals", amount=shown, decimals=_decimals(amount), limit=MAX_FEE_DECIMALS
            )
        if amount >= LIKELY_YUAN[facts.unit]:
            yield hit(fees.amount, case="large", amount=shown)
        in_s6 = [
            written
            for written, yuan in yuan_amounts(facts.text(other_matters))
            if yuan == amount and not written.endswith("万元")
        ]
        fee = facts.amount(fees.processing_fee)
        if in_s6 or fee == amount:
            where = f"六中的「{in_s6[0]}」" if in_s6 else f"信息处理费 {shown} 元"
            yield hit(fees.amount, case="same", amount=shown, where=where)
    fee = facts.amount(fees.processing_fee)
    if fee is not None and fee > 0:
        if _decimals(fee) > 2:
            yield hit(fees.processing_fee, case="fee_decimals", fee=format_amount(fee))
        elif fee < 1:
            yield hit(fees.processing_fee, case="fee_small", fee=format_amount(fee))


def _fee_link(facts: ReportFacts) -> Iterable[Hit]:
    """表三（六）2 counts applications dropped for not paying a fee notice (国办函〔2020〕109号)."""
    unpaid_key = facts.form.requests.row_total(facts.form.fee_keys.unpaid_row)
    other_matters = facts.form.texts.other_matters
    dropped = facts.count(unpaid_key)
    if not dropped:
        return
    text = facts.text(other_matters)
    # Fees actually collected ("收取信息处理费3940元") mean notices were sent, and say so.
    collected = "处理费" in text and any(yuan > 0 for _, yuan in yuan_amounts(text))
    if not (_FEE_NOTICE.search(text) or collected):
        yield hit(unpaid_key, other_matters, dropped=dropped)


def _regulations_by_department(facts: ReportFacts) -> Iterable[Hit]:
    """Only governments with 规章 power (province, 设区的市) make 规章; a department's row is 0/0/0."""
    if facts.unit is not UnitKind.DEPARTMENT or facts.form.tables is None:
        return
    documents = facts.form.documents
    for column in documents.parts:
        key = documents.key(facts.form.tables.regulations, column.key)
        value = facts.count(key)
        if value:
            yield hit(key, column=column.label, value=value)


TABLE_RULES: tuple[Rule, ...] = (
    Rule(
        "FEE-UNIT",
        Severity.WARNING,
        "收费金额的单位和精度",
        _fee_unit,
        {
            "decimals": "表二「行政事业性收费」本年收费金额 {amount} 万元有 {decimals} 位小数。"
            "单位为万元，保留至多 {limit} 位小数（即精确到元）即可，请核对是否换算有误。",
            "large": "表二「行政事业性收费」本年收费金额为 {amount} 万元，数额异常大，请确认填写的是万元而不是元。",
            "same": "表二「行政事业性收费」{amount} 万元与{where}数字相同。表二单位为万元，"
            "信息处理费单位为元，请确认没有把元填进万元栏。",
            "fee_decimals": "信息处理费 {fee} 元的小数超过两位。信息处理费以元为单位，最多精确到分。",
            "fee_small": "信息处理费为 {fee} 元，不足 1 元。信息处理费以元为单位，请确认不是按万元填写的。",
        },
    ),
    Rule(
        "T3-FEE-LINK",
        Severity.WARNING,
        "表三逾期未缴费与六的收费说明一致",
        _fee_link,
        {
            "": "表三（六）其他处理「2.申请人逾期未按收费通知要求缴纳费用」为 {dropped} 件，"
            "说明本年发出过信息处理费收费通知；请在六、其他需要报告的事项中说明收费通知的发出和收费情况。"
        },
    ),
    Rule(
        "AGG-REG",
        Severity.WARNING,
        "部门不填报规章",
        _regulations_by_department,
        {
            "": "表二「规章：{column}」为 {value}。规章只由有规章制定权的人民政府制定，"
            "部门一般应填 0；部门制发的文件请填在「行政规范性文件」行。"
        },
    ),
)
