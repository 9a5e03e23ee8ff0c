"""The national 2021 report format (国办公开办函〔2021〕30号), declared once as data.

Labels are the official ones, in full-width punctuation. Keys are stable English paths and
are stored in the database: renaming one needs a data migration.

The dialog asks the tables (二, 三, 四) before the narratives (一, 五, 六) so that the
narratives can be offered sentences built from the numbers; the report itself is always
rendered in the official order of `SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from dialogs.form import (
    Balance,
    Block,
    Column,
    Fees,
    Field,
    Form,
    Grid,
    Item,
    Narratives,
    Proposal,
    Row,
    RowGroup,
    Section,
    SectionRole,
    Shortcut,
    Stock,
    Tables,
    UnitKind,
    ValueKind,
)

FORMAT_VERSION = "2021"
_GOVERNMENT_MARKERS = ("人民政府", "政府办公室", "街道办事处", "管理委员会", "管委会", "综合实验区")
TITLE_FORMAT = "{agency}{year}年政府信息公开工作年度报告"
"""The default title; an agency may keep the title it published instead (dialogs/title.py)."""

SECTIONS = (
    Section("preamble", "", "前言", SectionRole.PREAMBLE),
    Section("s1", "一、总体情况", "一、总体情况", SectionRole.OVERVIEW),
    Section("s2", "二、主动公开政府信息情况", "二、主动公开", SectionRole.DOCUMENTS),
    Section("s3", "三、收到和处理政府信息公开申请情况", "三、收到和处理申请", SectionRole.REQUESTS),
    Section("s4", "四、政府信息公开行政复议、行政诉讼情况", "四、行政复议、行政诉讼", SectionRole.APPEALS),
    Section("s5", "五、存在的主要问题及改进情况", "五、问题及改进", SectionRole.PROBLEMS),
    Section("s6", "六、其他需要报告的事项", "六、其他事项", SectionRole.OTHER_MATTERS),
)

# --- Table 二 ---------------------------------------------------------------------
T2_DOC_COLUMNS = (
    Column("issued", "本年制发件数"),
    Column("abolished", "本年废止件数"),
    Column("in_force", "现行有效件数"),
)
T2_DOC_ROWS = (Row("regulations", "规章"), Row("normative_documents", "行政规范性文件"))
T2_DECISION_ROWS = (
    ("第二十条第（五）项", "本年处理决定数量", (Row("licensing", "行政许可"),)),
    ("第二十条第（六）项", "本年处理决定数量", (Row("penalty", "行政处罚"), Row("coercion", "行政强制"))),
)
T2_FEES = Row("fees", "行政事业性收费")
T2_FEES_HEADER = "本年收费金额（单位：万元）"

# --- Table 三 ---------------------------------------------------------------------
T3_APPLICANTS = "申请人情况"
T3_ORGANISATIONS = "法人或其他组织"
T3_APPLICANT_COLUMNS = (
    Column("natural_person", "自然人"),
    Column("commercial_enterprise", "商业企业", T3_ORGANISATIONS),
    Column("research_institution", "科研机构", T3_ORGANISATIONS),
    Column("social_welfare_org", "社会公益组织", T3_ORGANISATIONS),
    Column("legal_service_org", "法律服务机构", T3_ORGANISATIONS),
    Column("other_org", "其他", T3_ORGANISATIONS),
)
T3_TOTAL_COLUMN = Column("total", "总计")
T3_COLUMNS = (*T3_APPLICANT_COLUMNS, T3_TOTAL_COLUMN)
T3_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_RESULTS_PART = "三、本年度办理结果"

_DENY = "（三）不予公开"
_UNABLE = "（四）无法提供"
_NOPROC = "（五）不予处理"
_OTHER = "（六）其他处理"
_P = T3_RESULTS_PART

T3_NEW = Row("new", "一、本年新收政府信息公开申请数量")
T3_CARRIED_IN = Row("carried_in", "二、上年结转政府信息公开申请数量")
T3_RESULT_ROWS = (
    Row("granted", "（一）予以公开", part=_P),
    Row("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", part=_P),
    Row("deny_state_secret", "1.属于国家秘密", _DENY, _P),
    Row("deny_law_forbidden", "2.其他法律行政法规禁止公开", _DENY, _P),
    Row("deny_three_safety_one_stability", "3.危及“三安全一稳定”", _DENY, _P),
    Row("deny_third_party", "4.保护第三方合法权益", _DENY, _P),
    Row("deny_internal_affairs", "5.属于三类内部事务信息", _DENY, _P),
    Row("deny_process_info", "6.属于四类过程性信息", _DENY, _P),
    Row("deny_enforcement_file", "7.属于行政执法案卷", _DENY, _P),
    Row("deny_admin_query", "8.属于行政查询事项", _DENY, _P),
    Row("unable_not_held", "1.本机关不掌握相关政府信息", _UNABLE, _P),
    Row("unable_need_create", "2.没有现成信息需要另行制作", _UNABLE, _P),
    Row("unable_unclear", "3.补正后申请内容仍不明确", _UNABLE, _P),
    Row("noproc_petition", "1.信访举报投诉类申请", _NOPROC, _P),
    Row("noproc_repeat", "2.重复申请", _NOPROC, _P),
    Row("noproc_publication", "3.要求提供公开出版物", _NOPROC, _P),
    Row("noproc_massive", "4.无正当理由大量反复申请", _NOPROC, _P),
    Row("noproc_confirm", "5.要求行政机关确认或重新出具已获取信息", _NOPROC, _P),
    Row(
        "other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        _OTHER,
        _P,
    ),
    Row(
        "other_no_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        _OTHER,
        _P,
    ),
    Row("other_other", "3.其他", _OTHER, _P),
)
T3_TOTAL_PROCESSED = Row("total_processed", "（七）总计", part=_P)
T3_CARRIED_OUT = Row("carried_out", "四、结转下年度继续办理")
T3_ROWS = (T3_NEW, T3_CARRIED_IN, *T3_RESULT_ROWS, T3_TOTAL_PROCESSED, T3_CARRIED_OUT)

# --- Table 四 ---------------------------------------------------------------------
T4_GROUPS = (
    Column("review", "行政复议"),
    Column("litigation_direct", "未经复议直接起诉"),
    Column("litigation_after_review", "复议后起诉"),
)
T4_RESULTS = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other", "其他结果"),
    Column("pending", "尚未审结"),
)
T4_TOTAL = Column("total", "总计")
T4_LITIGATION = "行政诉讼"


T2_ITEM_1 = "第二十条第（一）项"
T2_ITEM_8 = "第二十条第（八）项"
T2_FEES_KEY = "t2.fees.amount"
PROCESSING_FEE_KEY = "s6.processing_fee"

T2_DOCUMENTS = Grid("t2", T2_DOC_ROWS, T2_DOC_COLUMNS)
T3 = Grid("t3", T3_ROWS, T3_COLUMNS, total="total", heading=T3_APPLICANTS, corner=T3_CORNER)
T4 = Grid(
    "t4",
    tuple(Row(g.key, g.label, "" if g.key == "review" else T4_LITIGATION) for g in T4_GROUPS),
    (*T4_RESULTS, T4_TOTAL),
    total="total",
)
T3_OUTCOMES = (
    RowGroup("予以公开", ("granted",)),
    RowGroup("部分公开", ("partial",)),
    *(
        RowGroup(group.split("）", 1)[1], tuple(r.key for r in T3_RESULT_ROWS if r.group == group))
        for group in (_DENY, _UNABLE, _NOPROC, _OTHER)
    ),
)


def t3_key(row: str, column: str) -> str:
    return T3.key(row, column)


def t4_key(group: str, result: str) -> str:
    return T4.key(group, result)


def _t2_blocks() -> tuple[Block, ...]:
    blocks = [
        Block(
            T2_ITEM_1,
            tuple(c.label for c in T2_DOC_COLUMNS),
            tuple(
                (r.label, tuple(T2_DOCUMENTS.key(r.key, c.key) for c in T2_DOC_COLUMNS)) for r in T2_DOC_ROWS
            ),
        )
    ]
    for heading, header, rows in T2_DECISION_ROWS:
        blocks.append(Block(heading, (header,), tuple((r.label, (f"t2.{r.key}.decisions",)) for r in rows)))
    blocks.append(Block(T2_ITEM_8, (T2_FEES_HEADER,), ((T2_FEES.label, (T2_FEES_KEY,)),)))
    return tuple(blocks)


def _count(key: str, label: str, unit: str = "件") -> Field:
    return Field(key, label, ValueKind.COUNT, unit)


def _text(key: str, label: str) -> Field:
    return Field(key, label, ValueKind.TEXT)


# --- Items, in dialog order -------------------------------------------------------
_ROW_HINT = (
    "依次输入 6 个数：自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他（总计列自动计算）。"
)
_ROW_EXAMPLE = "12 3 0 0 1 0"
_DOC_HINT = "依次输入 3 个数：本年制发件数、本年废止件数、现行有效件数。"
_T4_HINT = "依次输入 4 个数：结果维持、结果纠正、其他结果、尚未审结（总计自动计算）。"


def _t2_items() -> list[Item]:
    items = [
        Item(
            id=f"t2.{row.key}",
            section="s2",
            title=f"第二十条第（一）项 — {row.label}",
            fields=tuple(_count(f"t2.{row.key}.{c.key}", f"{row.label}：{c.label}") for c in T2_DOC_COLUMNS),
            hint=_DOC_HINT,
            example="2 0 15",
        )
        for row in T2_DOC_ROWS
    ]
    for heading, header, rows in T2_DECISION_ROWS:
        items.extend(
            Item(
                id=f"t2.{row.key}",
                section="s2",
                title=f"{heading} — {row.label}：{header}",
                fields=(_count(f"t2.{row.key}.decisions", f"{row.label}：{header}"),),
                hint="输入一个整数（包括已公开和依法未公开的全部处理决定）。",
                example="128",
            )
            for row in rows
        )
    items.append(
        Item(
            id="t2.fees",
            section="s2",
            title=f"第二十条第（八）项 — {T2_FEES.label}：{T2_FEES_HEADER}",
            fields=(Field(T2_FEES_KEY, f"{T2_FEES.label}：{T2_FEES_HEADER}", ValueKind.AMOUNT, "万元"),),
            hint="单位为万元，可带小数（建议最多 4 位）。未收费填 0。",
            example="12.35",
        )
    )
    return items


def _t3_item(row: Row, **extra: object) -> Item:
    title = f"{row.group} — {row.label}" if row.group else row.label
    return Item(
        id=f"t3.{row.key}",
        section="s3",
        title=title,
        fields=tuple(_count(t3_key(row.key, c.key), f"{title}：{c.label}") for c in T3_APPLICANT_COLUMNS),
        hint=_ROW_HINT,
        example=_ROW_EXAMPLE,
        **extra,  # type: ignore[arg-type]
    )


def _t3_items() -> list[Item]:
    return [
        _t3_item(T3_NEW, shortcuts=(Shortcut.NO_APPLICATIONS,)),
        _t3_item(T3_CARRIED_IN, proposals=(Proposal.CARRIED_IN,)),
        *(_t3_item(r, shortcuts=(Shortcut.NO_APPLICATIONS,)) for r in T3_RESULT_ROWS),
        _t3_item(T3_CARRIED_OUT, proposals=(Proposal.BALANCE,)),
    ]


def _t4_items() -> list[Item]:
    items = []
    for group in T4_GROUPS:
        title = group.label if group.key == "review" else f"{T4_LITIGATION} — {group.label}"
        items.append(
            Item(
                id=f"t4.{group.key}",
                section="s4",
                title=title,
                fields=tuple(_count(t4_key(group.key, r.key), f"{title}：{r.label}") for r in T4_RESULTS),
                hint=_T4_HINT,
                example="1 0 0 1",
                shortcuts=(Shortcut.NO_REVIEW_LITIGATION,),
            )
        )
    return items


_NARRATIVE_HINT = "请输入本项文字。可分多条消息发送，每条作为一段；写完后回复「完成」进入下一项。"

S1_SUBSECTIONS = (
    ("text.s1.active", "（一）主动公开"),
    ("text.s1.requests", "（二）依申请公开"),
    ("text.s1.management", "（三）政府信息管理"),
    ("text.s1.platform", "（四）政府信息公开平台建设"),
    ("text.s1.oversight", "（五）监督保障"),
)
GOV_EXTRAS = (
    ("text.gov.assessment", "工作考核结果情况"),
    ("text.gov.social_review", "社会评议结果情况"),
    ("text.gov.accountability", "责任追究结果情况"),
)
GOV_NONE_TEXTS = {
    # What 无 records: rendered after the label ("责任追究结果情况：本年度无责任追究情况。").
    "text.gov.assessment": "本年度无工作考核结果。",
    "text.gov.social_review": "本年度无社会评议结果。",
    "text.gov.accountability": "本年度无责任追究情况。",
}


def _narrative(
    key: str, section: str, title: str, *, optional: bool = False, generated: bool = False, **extra: object
) -> Item:
    proposals = (
        (Proposal.GENERATED_TEXT, Proposal.LAST_YEAR_TEXT) if generated else (Proposal.LAST_YEAR_TEXT,)
    )
    return Item(
        id=key,
        section=section,
        title=title,
        fields=(_text(key, title),),
        hint=_NARRATIVE_HINT,
        example="2024年，我局在门户网站主动公开政府信息120条……",
        optional=optional,
        proposals=proposals,
        **extra,  # type: ignore[arg-type]
    )


def _narrative_items() -> list[Item]:
    items = [
        _narrative(
            "text.preamble", "preamble", "前言（编制依据、统计期限、联系方式）", optional=True, generated=True
        ),
        _narrative("text.overview", "s1", "一、总体情况 — 开篇概述", optional=True),
    ]
    for key, title in S1_SUBSECTIONS:
        items.append(_narrative(key, "s1", title, generated=key == "text.s1.requests"))
    for key, title in GOV_EXTRAS:
        items.append(
            Item(
                id=key,
                section="s1",
                title=f"（五）监督保障 — {title}",
                fields=(_text(key, title),),
                hint="人民政府的年报应报告此项（《条例》第五十条第四项）。没有可回复「无」。",
                example="无",
                # Published reports often lack these statements: a warning at review (FMT-GOV-EXTRA),
                # not a block, so the dialog lets the item be skipped like the rules do.
                optional=True,
                only_for=UnitKind.GOVERNMENT,
                proposals=(Proposal.LAST_YEAR_TEXT,),
                none_text=GOV_NONE_TEXTS[key],
            )
        )
    items.append(_narrative("text.s5", "s5", "五、存在的主要问题及改进情况"))
    items.append(
        Item(
            id=PROCESSING_FEE_KEY,
            section="s6",
            title="六、其他需要报告的事项 — 本年收取的信息处理费（元）",
            fields=(Field(PROCESSING_FEE_KEY, "信息处理费（元）", ValueKind.AMOUNT, "元"),),
            hint="按《政府信息公开信息处理费管理办法》收取的信息处理费，单位为元；未收取填 0。",
            example="0",
        )
    )
    items.append(_narrative("text.s6", "s6", "六、其他需要报告的事项", generated=True))
    return items


def _total(key: str, label: str, parts: Iterable[str]) -> Field:
    """A computed count: the sum of the `parts` cells, never asked."""
    return Field(key, label, ValueKind.COUNT, "件", sums=tuple(parts))


def _computed() -> tuple[Field, ...]:
    out: list[Field] = []
    asked_rows = (T3_NEW, T3_CARRIED_IN, *T3_RESULT_ROWS, T3_CARRIED_OUT)
    for row in asked_rows:
        parts = (t3_key(row.key, c.key) for c in T3_APPLICANT_COLUMNS)
        out.append(_total(t3_key(row.key, "total"), f"{row.label}：总计", parts))
    for col in T3_APPLICANT_COLUMNS:
        parts = (t3_key(r.key, col.key) for r in T3_RESULT_ROWS)
        out.append(_total(t3_key("total_processed", col.key), f"（七）总计：{col.label}", parts))
    parts = (t3_key("total_processed", c.key) for c in T3_APPLICANT_COLUMNS)
    out.append(_total(t3_key("total_processed", "total"), "（七）总计：总计", parts))
    for group in T4_GROUPS:
        parts = (t4_key(group.key, r.key) for r in T4_RESULTS)
        out.append(_total(t4_key(group.key, "total"), f"{group.label}：总计", parts))
    return tuple(out)


T3_BALANCE = Balance(T3, "new", "carried_in", "total_processed", "carried_out")
NARRATIVES = Narratives(
    preamble="text.preamble",
    overview="text.overview",
    subsections=tuple(key for key, _ in S1_SUBSECTIONS),
    requests="text.s1.requests",
    oversight="text.s1.oversight",
    government_extras=tuple(key for key, _ in GOV_EXTRAS),
    problems="text.s5",
    other_matters="text.s6",
)
FEES = Fees(amount=T2_FEES_KEY, processing_fee=PROCESSING_FEE_KEY, unpaid_row="other_no_fee")


def build_form() -> Form:
    return Form(
        version=FORMAT_VERSION,
        sections=SECTIONS,
        items=(*_t2_items(), *_t3_items(), *_t4_items(), *_narrative_items()),
        computed=_computed(),
        tables=Tables(
            documents=T2_DOCUMENTS,
            blocks=_t2_blocks(),
            requests=T3,
            outcomes=T3_OUTCOMES,
            appeals=T4,
            appeal_group=T4_LITIGATION,
            regulations="regulations",
            # The 2019 trial format printed （六）其他处理 as one row: it is read into 3.其他.
            legacy_rows={_OTHER: "other_other"},
        ),
        balance=T3_BALANCE,
        # 上年结转 is last year's 结转下年度继续办理, column by column (the total too).
        carry_over={t3_key("carried_in", c.key): t3_key("carried_out", c.key) for c in T3_COLUMNS},
        stocks=tuple(
            Stock(row.label, *(T2_DOCUMENTS.key(row.key, c.key) for c in T2_DOC_COLUMNS))
            for row in T2_DOC_ROWS
        ),
        narratives=NARRATIVES,
        fees=FEES,
        title_format=TITLE_FORMAT,
        government_markers=_GOVERNMENT_MARKERS,
    )


@cache
def form_2021() -> Form:
    """The 2021 form; built once per process (the declaration is immutable data)."""
    return build_form()


def guess_unit_kind(agency: str) -> UnitKind:
    """A people's government or a department, from the name (`Form.guess_unit_kind` of the 2021 form)."""
    return form_2021().guess_unit_kind(agency)
