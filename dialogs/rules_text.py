"""Text ↔ table rules: the narratives must quote the same numbers as the tables.

The commonest published error is a narrative that contradicts its own table (洪泽区 2024:
"受理……17件" against 新收 95; 平潭 2022: "收到……75件" against 新收 74 + 上年结转 1). The
claims are read by `dialogs.narrative_claims`; these rules compare them with the cells and
name both the sentence and the cell. nianbao's generated sentences pass by construction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dialogs.narrative_claims import Apps, read_claims, read_docs_claims
from dialogs.report_2021 import T2_DOC_COLUMNS, T2_DOC_ROWS, T3_RESULT_ROWS, t3_key, t4_key
from dialogs.rules import Finding, ReportFacts, Rule, Severity
from dialogs.rules_tables import PROCESSING_FEE_KEY
from dialogs.sentences import format_amount
from dialogs.textscan import (
    OVERALL_KEYS,
    REQUESTS_KEY,
    S6_KEY,
    is_placeholder,
    quote,
    sentences,
    yuan_amounts,
)

_NEW, _CARRIED_IN = t3_key("new", "total"), t3_key("carried_in", "total")
_PROCESSED, _CARRIED_OUT = t3_key("total_processed", "total"), t3_key("carried_out", "total")
_T4_GROUP_LABELS = {
    "review": "行政复议",
    "litigation": "行政诉讼（直接起诉 + 复议后起诉）",
    "litigation_direct": "未经复议直接起诉",
    "litigation_after_review": "复议后起诉",
}
_T4_RESULT_LABELS = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
}
_T4_RESULT_LABELS["total"] = "总计"

_SAYS_NONE = re.compile(r"(?:未|没有|无)(?:新收|收到|受理|接到|接收)")
_SAYS_NONE_LOOSE = re.compile(r"(?:未|没有|无)[^。，]{0,12}申请|申请[^。，]{0,6}(?:为)?(?:0|零)件")
_REVIEW_OR_SUIT = re.compile(r"复议|诉讼|起诉")
_FEE_STATED = re.compile(r"处理费|(?:未|没有|无|不)收取[^。]{0,8}费")
_FEE_ZERO = re.compile(r"未收取|没有收取|无收取|不收取|未发生|未产生|免收|免费|(?<![\d.])0(?:\.0+)?元|零元")


def _requests_text(facts: ReportFacts) -> str:
    return facts.text(REQUESTS_KEY)


def _t3_totals(facts: ReportFacts) -> tuple[int, int, int, int] | None:
    values = [facts.count(k) for k in (_NEW, _CARRIED_IN, _PROCESSED, _CARRIED_OUT)]
    if any(v is None for v in values):
        return None
    new, carried_in, processed, carried_out = (v for v in values if v is not None)
    return new, carried_in, processed, carried_out


def _txt_apps(facts: ReportFacts) -> Iterable[Finding]:
    totals = _t3_totals(facts)
    if totals is None:
        return
    new, carried_in, processed, carried_out = totals
    claims = read_claims(_requests_text(facts))
    for claim in claims.apps:
        said = f"一（二）依申请公开「{quote(claim.sentence)}」中的 {claim.value} 件"
        match claim.kind:
            case Apps.RECEIVED:
                if claim.value == new or (claim.includes_carried_in and claim.value == new + carried_in):
                    continue
                if claim.value == new + carried_in:
                    detail = (
                        f"等于本年新收 {new} + 上年结转 {carried_in}；「收到/受理」应只计本年新收 {new} 件，"
                        "或写明「含上年结转」。"
                    )
                else:
                    detail = f"与表三「本年新收」总计 {new} 不一致。"
                yield Finding("TXT-APPS", Severity.WARNING, said + detail, (REQUESTS_KEY, _NEW))
            case Apps.HANDLED:
                if claim.value in (new, new + carried_in, processed):
                    continue
                yield Finding(
                    "TXT-APPS",
                    Severity.WARNING,
                    said
                    + f"与表三不一致：本年新收 {new}，新收加上年结转 {new + carried_in}，办理结果总计 {processed}。",
                    (REQUESTS_KEY, _PROCESSED),
                )
            case Apps.PROCESSED if claim.value != processed:
                yield Finding(
                    "TXT-APPS",
                    Severity.WARNING,
                    said + f"与表三「（七）总计」{processed} 不一致。",
                    (REQUESTS_KEY, _PROCESSED),
                )
            case Apps.CARRIED_IN if claim.value != carried_in:
                yield Finding(
                    "TXT-APPS",
                    Severity.WARNING,
                    said + f"与表三「上年结转」总计 {carried_in} 不一致。",
                    (REQUESTS_KEY, _CARRIED_IN),
                )
            case Apps.CARRIED_OUT if claim.value != carried_out:
                yield Finding(
                    "TXT-APPS",
                    Severity.WARNING,
                    said + f"与表三「结转下年度继续办理」总计 {carried_out} 不一致。",
                    (REQUESTS_KEY, _CARRIED_OUT),
                )
    for result in claims.results:
        keys = tuple(t3_key(r.key, "total") for r in T3_RESULT_ROWS if r.key.startswith(result.prefix))
        parts = [facts.count(k) for k in keys]
        if any(p is None for p in parts):
            continue
        expected = sum(p for p in parts if p is not None)
        if result.value != expected:
            yield Finding(
                "TXT-APPS",
                Severity.WARNING,
                f"一（二）依申请公开「{quote(result.sentence)}」写{result.label} {result.value} 件，"
                f"但表三总计列「{result.label}」为 {expected}。",
                (REQUESTS_KEY, *keys),
            )


def _t4_value(facts: ReportFacts, group: str, result: str) -> tuple[int | None, tuple[str, ...]]:
    groups = ("litigation_direct", "litigation_after_review") if group == "litigation" else (group,)
    keys = tuple(t4_key(g, result) for g in groups)
    values = [facts.count(k) for k in keys]
    if any(v is None for v in values):
        return None, keys
    return sum(v for v in values if v is not None), keys


def _txt_rl(facts: ReportFacts) -> Iterable[Finding]:
    others = tuple(facts.text(k) for k in OVERALL_KEYS if k != REQUESTS_KEY)
    for claim in read_claims(_requests_text(facts), others).reviews:
        expected, keys = _t4_value(facts, claim.group, claim.result)
        if expected is None or expected == claim.value:
            continue
        label = _T4_GROUP_LABELS[claim.group]
        cell = "" if claim.result == "total" else f"「{_T4_RESULT_LABELS[claim.result]}」"
        yield Finding(
            "TXT-RL",
            Severity.WARNING,
            f"正文「{quote(claim.sentence)}」写{label}{cell} {claim.value} 件，"
            f"但表四{label}{cell or '总计'}为 {expected}。",
            keys,
        )


def _txt_docs(facts: ReportFacts) -> Iterable[Finding]:
    rows = {r.key: r.label for r in T2_DOC_ROWS}
    columns = {c.key: c.label for c in T2_DOC_COLUMNS}
    for text_key in OVERALL_KEYS:
        for claim in read_docs_claims(facts.text(text_key)):
            cell = f"t2.{claim.row}.{claim.column}"
            expected = facts.count(cell)
            if expected is None or expected == claim.value:
                continue
            yield Finding(
                "TXT-DOCS",
                Severity.WARNING,
                f"正文「{quote(claim.sentence)}」写{rows[claim.row]} {claim.value} 件，"
                f"但表二「{rows[claim.row]}：{columns[claim.column]}」为 {expected}。",
                (text_key, cell),
            )


def _application_sentences(text: str) -> list[str]:
    return [s for s in sentences(text) if not _REVIEW_OR_SUIT.search(s)]


def _txt_zero(facts: ReportFacts) -> Iterable[Finding]:
    new = facts.count(_NEW)
    text = _requests_text(facts)
    if new is None or not text.strip():
        return
    plain = _application_sentences(text)
    if new == 0:
        said_zero = any(_SAYS_NONE.search(s) or _SAYS_NONE_LOOSE.search(s) for s in plain) or any(
            c.kind is Apps.RECEIVED and c.value == 0 for c in read_claims(text).apps
        )
        if not said_zero:
            yield Finding(
                "TXT-ZERO",
                Severity.WARNING,
                "表三「本年新收」为 0，但一（二）依申请公开没有写明本年未收到政府信息公开申请，"
                "请补充一句，例如「本年度未收到政府信息公开申请」。",
                (REQUESTS_KEY, _NEW),
            )
        return
    for sentence in plain:
        if _SAYS_NONE.search(sentence):
            yield Finding(
                "TXT-ZERO",
                Severity.WARNING,
                f"一（二）依申请公开「{quote(sentence)}」说未收到申请，但表三「本年新收」总计为 {new}。",
                (REQUESTS_KEY, _NEW),
            )
            return


def _txt_fee(facts: ReportFacts) -> Iterable[Finding]:
    """六 states the 信息处理费 (国办函〔2020〕109号): an amount, or 未收取 / 0元."""
    if S6_KEY not in facts.answers and facts.source is None:
        return  # not answered yet: the engine lists the missing item
    text = facts.text(S6_KEY)
    fee = facts.amount(PROCESSING_FEE_KEY)
    if text.strip() and is_placeholder(text):
        yield Finding(
            "TXT-FEE",
            Severity.WARNING,
            f"六、其他需要报告的事项只写了「{text.strip()}」。请写明信息处理费的收取情况，"
            "例如「本年度未收取政府信息公开信息处理费」。",
            (S6_KEY,),
        )
        return
    if not _FEE_STATED.search(text):
        yield Finding(
            "TXT-FEE",
            Severity.ERROR,
            "六、其他需要报告的事项没有说明信息处理费的收取情况（按《政府信息公开信息处理费管理办法》，"
            "写明收取金额，或写明「未收取」）。",
            (S6_KEY,),
        )
        return
    if fee is None:
        return
    fee_sentences = [s for s in sentences(text) if _FEE_STATED.search(s)]
    amounts = [(written, yuan) for s in fee_sentences for written, yuan in yuan_amounts(s)]
    says_zero = any(_FEE_ZERO.search(s) for s in fee_sentences)
    if any(yuan == fee for _, yuan in amounts) or (fee == 0 and says_zero and not amounts):
        return
    shown = format_amount(fee)
    if amounts:
        detail = f"写的是「{amounts[0][0]}」"
    elif says_zero:
        detail = "写的是未收取"
    else:
        detail = "没有写明金额"
    yield Finding(
        "TXT-FEE",
        Severity.WARNING,
        f"六、其他需要报告的事项中信息处理费{detail}，但填报的信息处理费为 {shown} 元，请核对。",
        (S6_KEY, PROCESSING_FEE_KEY),
    )


TEXT_RULES: tuple[Rule, ...] = (
    Rule("TXT-APPS", Severity.WARNING, "依申请公开正文数字与表三一致", _txt_apps),
    Rule("TXT-RL", Severity.WARNING, "复议诉讼正文数字与表四一致", _txt_rl),
    Rule("TXT-DOCS", Severity.WARNING, "规范性文件正文数字与表二一致", _txt_docs),
    Rule("TXT-ZERO", Severity.WARNING, "未收到申请的说法与表三一致", _txt_zero),
    Rule("TXT-FEE", Severity.ERROR, "六写明信息处理费收取情况", _txt_fee),
)
