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
from dialogs.rules import Hit, Message, ReportFacts, Rule, Severity, hit
from dialogs.sentences import format_amount, group_total
from dialogs.textscan import is_placeholder, quote, sentences, yuan_amounts

_APPEAL_GROUP = "litigation"
"""The narratives' name for the appeals table's row group (both kinds of litigation together)."""
_GROUP_LABEL = "{group}（直接起诉 + 复议后起诉）"

_SAYS_NONE = re.compile(r"(?:未|没有|无)(?:新收|收到|受理|接到|接收)")
_SAYS_NONE_LOOSE = re.compile(r"(?:未|没有|无)[^。，]{0,12}申请|申请[^。，]{0,6}(?:为)?(?:0|零)件")
_REVIEW_OR_SUIT = re.compile(r"复议|诉讼|起诉")
_FEE_STATED = re.compile(r"处理费|(?:未|没有|无|不)收取[^。]{0,8}费")
_FEE_ZERO = re.compile(r"未收取|没有收取|无收取|不收取|未发生|未产生|免收|免费|(?<![\d.])0(?:\.0+)?元|零元")


def _requests_text(facts: ReportFacts) -> str:
    return facts.text(facts.form.texts.requests)


def _balance_totals(facts: ReportFacts) -> tuple[str, str, str, str]:
    """The 总计 keys of the balance's rows: new, carried in, processed, carried out."""
    balance = facts.form.balance
    if balance is None:
        raise LookupError("the text rules need a form with a balance")
    rows = (balance.new, balance.carried_in, balance.processed, balance.carried_out)
    new, carried_in, processed, carried_out = (balance.grid.row_total(r) for r in rows)
    return new, carried_in, processed, carried_out


def _t3_totals(facts: ReportFacts) -> tuple[int, int, int, int] | None:
    values = [facts.count(k) for k in _balance_totals(facts)]
    if any(v is None for v in values):
        return None
    new, carried_in, processed, carried_out = (v for v in values if v is not None)
    return new, carried_in, processed, carried_out


def _txt_apps(facts: ReportFacts) -> Iterable[Hit]:
    totals = _t3_totals(facts)
    if totals is None:
        return
    new, carried_in, processed, carried_out = totals
    new_key, carried_in_key, processed_key, carried_out_key = _balance_totals(facts)
    requests = facts.form.texts.requests
    claims = read_claims(_requests_text(facts))
    for claim in claims.apps:
        said = {"sentence": quote(claim.sentence), "value": claim.value}
        match claim.kind:
            case Apps.RECEIVED:
                if claim.value == new or (claim.includes_carried_in and claim.value == new + carried_in):
                    continue
                if claim.value == new + carried_in:
                    yield hit(
                        requests,
                        new_key,
                        case="received_with_carried",
                        new=new,
                        carried_in=carried_in,
                        **said,
                    )
                else:
                    yield hit(requests, new_key, case="received", new=new, **said)
            case Apps.HANDLED:
                if claim.value in (new, new + carried_in):
                    continue
                if claim.value == processed:
                    continue
                yield hit(
                    requests,
                    processed_key,
                    case="handled",
                    new=new,
                    both=new + carried_in,
                    processed=processed,
                    **said,
                )
            case Apps.PROCESSED if claim.value != processed:
                yield hit(requests, processed_key, case="processed", processed=processed, **said)
            case Apps.CARRIED_IN if claim.value != carried_in:
                yield hit(requests, carried_in_key, case="carried_in", carried_in=carried_in, **said)
            case Apps.CARRIED_OUT if claim.value != carried_out:
                yield hit(requests, carried_out_key, case="carried_out", carried_out=carried_out, **said)
    for result in claims.results:
        group = facts.form.outcome(result.label)
        expected = group_total(facts.form, facts.answers, group)
        if expected is None:
            continue
        if result.value != expected:
            keys = tuple(facts.form.requests.row_total(r) for r in group.rows)
            yield hit(
                requests,
                *keys,
                case="result",
                sentence=quote(result.sentence),
                label=result.label,
                value=result.value,
                expected=expected,
            )


def _appeal_rows(facts: ReportFacts, group: str) -> tuple[str, ...]:
    """The appeals rows a claim's group names: one row, or the declared row group."""
    tables = facts.form.tables
    if group == _APPEAL_GROUP and tables is not None:
        return tuple(r.key for r in facts.form.appeals.rows_in_group(tables.appeal_group))
    return (group,)


def _t4_value(facts: ReportFacts, group: str, result: str) -> tuple[int | None, tuple[str, ...]]:
    appeals = facts.form.appeals
    keys = tuple(appeals.key(g, result) for g in _appeal_rows(facts, group))
    values = [facts.count(k) for k in keys]
    if any(v is None for v in values):
        return None, keys
    return sum(v for v in values if v is not None), keys


def _group_label(facts: ReportFacts, group: str) -> str:
    tables = facts.form.tables
    if group == _APPEAL_GROUP and tables is not None:
        return _GROUP_LABEL.format(group=tables.appeal_group)
    return facts.form.appeals.row(group).label


def _txt_rl(facts: ReportFacts) -> Iterable[Hit]:
    texts = facts.form.texts
    others = tuple(facts.text(k) for k in texts.overall if k != texts.requests)
    appeals = facts.form.appeals
    for claim in read_claims(_requests_text(facts), others).reviews:
        expected, keys = _t4_value(facts, claim.group, claim.result)
        if expected is None or expected == claim.value:
            continue
        label = _group_label(facts, claim.group)
        cell = "" if claim.result == appeals.total else f"「{appeals.column(claim.result).label}」"
        yield hit(
            *keys,
            sentence=quote(claim.sentence),
            label=label,
            cell=cell,
            value=claim.value,
            table_cell=cell or appeals.column(appeals.total).label,
            expected=expected,
        )


def _txt_docs(facts: ReportFacts) -> Iterable[Hit]:
    documents = facts.form.documents
    for text_key in facts.form.texts.overall:
        for claim in read_docs_claims(facts.text(text_key)):
            cell = documents.key(claim.row, claim.column)
            expected = facts.count(cell)
            if expected is None or expected == claim.value:
                continue
            yield hit(
                text_key,
                cell,
                sentence=quote(claim.sentence),
                row=documents.row(claim.row).label,
                column=documents.column(claim.column).label,
                value=claim.value,
                expected=expected,
            )


def _application_sentences(text: str) -> list[str]:
    return [s for s in sentences(text) if not _REVIEW_OR_SUIT.search(s)]


def _txt_zero(facts: ReportFacts) -> Iterable[Hit]:
    new_key = _balance_totals(facts)[0]
    requests = facts.form.texts.requests
    new = facts.count(new_key)
    text = _requests_text(facts)
    if new is None or not text.strip():
        return
    plain = _application_sentences(text)
    if new == 0:
        said_zero = any(_SAYS_NONE.search(s) or _SAYS_NONE_LOOSE.search(s) for s in plain) or any(
            c.kind is Apps.RECEIVED and c.value == 0 for c in read_claims(text).apps
        )
        if not said_zero:
            yield hit(requests, new_key, case="unsaid")
        return
    for sentence in plain:
        if _SAYS_NONE.search(sentence):
            yield hit(requests, new_key, case="contradicted", sentence=quote(sentence), new=new)
            return


def _txt_fee(facts: ReportFacts) -> Iterable[Hit]:
    """六 states the 信息处理费 (国办函〔2020〕109号): an amount, or 未收取 / 0元."""
    other_matters, fee_key = facts.form.texts.other_matters, facts.form.fee_keys.processing_fee
    if other_matters not in facts.answers and facts.source is None:
        return  # not answered yet: the engine lists the missing item
    text = facts.text(other_matters)
    fee = facts.amount(fee_key)
    if text.strip() and is_placeholder(text):
        yield hit(other_matters, case="placeholder", text=text.strip())
        return
    if not _FEE_STATED.search(text):
        yield hit(other_matters, case="unstated")
        return
    if fee is None:
        return
    fee_sentences = [s for s in sentences(text) if _FEE_STATED.search(s)]
    amounts = [(written, yuan) for s in fee_sentences for written, yuan in yuan_amounts(s)]
    says_zero = any(_FEE_ZERO.search(s) for s in fee_sentences)
    if any(yuan == fee for _, yuan in amounts) or (fee == 0 and says_zero and not amounts):
        return
    if amounts:
        detail = f"写的是「{amounts[0][0]}」"
    elif says_zero:
        detail = "写的是未收取"
    else:
        detail = "没有写明金额"
    yield hit(other_matters, fee_key, case="mismatch", detail=detail, fee=format_amount(fee))


_SAID = "一（二）依申请公开「{sentence}」中的 {value} 件"

TEXT_RULES: tuple[Rule, ...] = (
    Rule(
        "TXT-APPS",
        Severity.WARNING,
        "依申请公开正文数字与表三一致",
        _txt_apps,
        {
            "received_with_carried": _SAID + "等于本年新收 {new} + 上年结转 {carried_in}；"
            "「收到/受理」应只计本年新收 {new} 件，或写明「含上年结转」。",
            "received": _SAID + "与表三「本年新收」总计 {new} 不一致。",
            "handled": _SAID
            + "与表三不一致：本年新收 {new}，新收加上年结转 {both}，办理结果总计 {processed}。",
            "processed": _SAID + "与表三「（七）总计」{processed} 不一致。",
            "carried_in": _SAID + "与表三「上年结转」总计 {carried_in} 不一致。",
            "carried_out": _SAID + "与表三「结转下年度继续办理」总计 {carried_out} 不一致。",
            "result": "一（二）依申请公开「{sentence}」写{label} {value} 件，但表三总计列「{label}」为 {expected}。",
        },
    ),
    Rule(
        "TXT-RL",
        Severity.WARNING,
        "复议诉讼正文数字与表四一致",
        _txt_rl,
        {"": "正文「{sentence}」写{label}{cell} {value} 件，但表四{label}{table_cell}为 {expected}。"},
    ),
    Rule(
        "TXT-DOCS",
        Severity.WARNING,
        "规范性文件正文数字与表二一致",
        _txt_docs,
        {"": "正文「{sentence}」写{row} {value} 件，但表二「{row}：{column}」为 {expected}。"},
    ),
    Rule(
        "TXT-ZERO",
        Severity.WARNING,
        "未收到申请的说法与表三一致",
        _txt_zero,
        {
            "unsaid": "表三「本年新收」为 0，但一（二）依申请公开没有写明本年未收到政府信息公开申请，"
            "请补充一句，例如「本年度未收到政府信息公开申请」。",
            "contradicted": "一（二）依申请公开「{sentence}」说未收到申请，但表三「本年新收」总计为 {new}。",
        },
    ),
    Rule(
        # DOMAIN.md §3: 六 must state the fee (ERROR); "无" alone or a figure that differs from the
        # 信息处理费 cell is accepted with a prompt (WARNING).
        "TXT-FEE",
        Severity.ERROR,
        "六写明信息处理费收取情况",
        _txt_fee,
        {
            "unstated": "六、其他需要报告的事项没有说明信息处理费的收取情况（按《政府信息公开信息处理费管理办法》，"
            "写明收取金额，或写明「未收取」）。",
            "placeholder": Message(
                "六、其他需要报告的事项只写了「{text}」。请写明信息处理费的收取情况，"
                "例如「本年度未收取政府信息公开信息处理费」。",
                Severity.WARNING,
            ),
            "mismatch": Message(
                "六、其他需要报告的事项中信息处理费{detail}，但填报的信息处理费为 {fee} 元，请核对。",
                Severity.WARNING,
            ),
        },
    ),
)
