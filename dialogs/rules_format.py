"""Structure and format rules: headings, the five 总体情况 topics, 五's content, row labels, title.

Reports filled in nianbao get headings, rows and labels from the declaration, so most of these
only look at imported documents (`ReportFacts.source`): the 2019 single （六） row and label
typos copied from year to year (洪泽区 2023 and 2024) are what the existing checkers miss.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dialogs.form import Form, UnitKind
from dialogs.rules import Hit, ReportFacts, Rule, Severity, hit
from dialogs.textscan import compact, is_placeholder, quote
from dialogs.title import given_title

OVERALL_LENGTH_LIMIT = 1000
"""武威's notice for the 2025 reports: 总体情况 "原则上不超过一千字" (local, hence INFO)."""

_TITLE = re.compile(r"^(?P<agency>.+?)(?P<year>\d{4})年度?政府信息公开工作年度报告$")
_GOV_TOPICS = (
    ("工作考核", re.compile(r"考核|考评")),
    ("社会评议", re.compile(r"评议")),
    ("责任追究", re.compile(r"责任追究|追责|问责")),
)
_PROBLEMS = re.compile(r"问题|不足|短板|差距|薄弱|有待|不够|欠缺|不到位|滞后|仍需|尚需|还需|需要进一步")
_MEASURES = re.compile(
    r"下一步|改进|整改|措施|计划|举措|"
    r"(?:将|要)[^。，]{0,6}(?:加强|完善|推进|深化|加大|强化|优化|提升|建立|健全|抓好|落实|做好|开展)"
)
_CONCRETE = re.compile(
    r"一是|二是|[（(][一二三][）)]|[1-3][.、．]|加强|完善|建立|健全|优化|开展|推进|落实|提升|强化|培训|制定|修订"
)


def _row_name(form: Form, row: str) -> str:
    """A requests-table row key from "t3.deny_x", "t3.deny_x.total" or "deny_x"."""
    grid = form.requests
    return row.removeprefix(f"{grid.id}.").removesuffix(f".{grid.total}")


def row_label_key(form: Form, row: str) -> str:
    """The cell a row-label finding points at: the row's 总计 ("t3.deny_x" or "deny_x" accepted)."""
    return form.requests.row_total(_row_name(form, row))


def _label_form(label: str) -> str:
    # Export artifacts are not spelling errors: spaces, half-width brackets, "1、" for "1.".
    text = compact(label).lstrip("#").replace("(", "（").replace(")", "）")
    return re.sub(r"(\d)[、．]", r"\1.", text)


def _fmt_sections(facts: ReportFacts) -> Iterable[Hit]:
    if facts.source is None or not facts.source.headings:
        return
    expected = [s.heading for s in facts.form.sections if s.heading]
    found = [_label_form(h) for h in facts.source.headings]
    if found != expected:
        yield hit(
            expected="、".join(h.split("、", 1)[1] for h in expected),
            found=" / ".join(quote(h, 30) for h in found),
        )


def _fmt_subsections(facts: ReportFacts) -> Iterable[Hit]:
    for key in facts.form.texts.subsections:
        if is_placeholder(facts.text(key)):
            yield hit(key, title=facts.form.item(key).title)


def _fmt_gov_extra(facts: ReportFacts) -> Iterable[Hit]:
    """条例第五十条第四项: a people's government also reports 考核, 社会评议 and 责任追究 results.

    A warning on every path (dialog, review, check, import): many published government reports
    lack these statements, and a search for words cannot prove absence; the coordinator sees the
    confirmed warning with the submission.
    """
    if facts.unit is not UnitKind.GOVERNMENT:
        return
    texts = facts.form.texts
    if any(key in facts.answers for key in texts.government_extras):
        for key in texts.government_extras:
            if not facts.text(key).strip():
                yield hit(key, case="item", title=facts.form.field(key).label)
        return
    # A report not filled through the three questions (imported, or older): look for the words.
    text = facts.text(texts.oversight)
    missing = [topic for topic, words in _GOV_TOPICS if not words.search(text)]
    if missing:
        yield hit(texts.oversight, case="words", missing="、".join(missing))


def _fmt_rows(facts: ReportFacts) -> Iterable[Hit]:
    if facts.source is None:
        return
    if facts.source.old_other_row:
        # The 2019 trial format had one row where 2021 has the group of the unpaid-fee row.
        form = facts.form
        rows = form.outcome_of(form.fee_keys.unpaid_row).rows
        yield hit(*(form.requests.row_total(r) for r in rows))
    for label, keys in facts.source.missing_rows.items():
        yield hit(*keys, case="missing", label=label)


def _fmt_labels(facts: ReportFacts) -> Iterable[Hit]:
    if facts.source is None:
        return
    grid = facts.form.requests
    for name, printed in facts.source.row_labels.items():
        key = _row_name(facts.form, name)
        if not grid.has_row(key):
            continue
        row = grid.row(key)
        accepted = {_label_form(row.label), _label_form(row.group + row.label)}
        if _label_form(printed) not in accepted:
            yield hit(row_label_key(facts.form, row.key), printed=printed, official=row.label)


def _fmt_title(facts: ReportFacts) -> Iterable[Hit]:
    printed = given_title(facts)
    if not printed:
        return
    title = _label_form(printed)
    if not _TITLE.match(title):
        yield hit(title=quote(title), year=facts.year)


def _fmt_s5(facts: ReportFacts) -> Iterable[Hit]:
    problems = facts.form.texts.problems
    if problems not in facts.answers and facts.source is None:
        return  # not answered yet: the engine lists the missing item
    text = compact(facts.text(problems))
    if is_placeholder(text):
        yield hit(problems, case="empty")
        return
    lacking = []
    if not _PROBLEMS.search(text):
        lacking.append("存在的主要问题")
    if not (_MEASURES.search(text) and _CONCRETE.search(text)):
        lacking.append("具体的改进措施")
    if lacking:
        yield hit(problems, case="lacking", lacking="和".join(lacking))


def _fmt_len(facts: ReportFacts) -> Iterable[Hit]:
    texts = facts.form.texts
    length = sum(len(compact(facts.text(k))) for k in texts.overall)
    if length > OVERALL_LENGTH_LIMIT:
        yield hit(*(k for k in texts.subsections if facts.text(k)), length=length, limit=OVERALL_LENGTH_LIMIT)


FORMAT_RULES: tuple[Rule, ...] = (
    Rule(
        "FMT-SECTIONS",
        Severity.ERROR,
        "六个一级标题齐全且顺序、文字正确",
        _fmt_sections,
        {"": "报告的一级标题应为「{expected}」六部分且按此顺序，现为「{found}」。"},
    ),
    Rule(
        "FMT-SUBSECTIONS",
        Severity.WARNING,
        "总体情况包括五个方面",
        _fmt_subsections,
        {
            "": "一、总体情况缺少「{title}」的内容（总体情况应包括主动公开、依申请公开、政府信息管理、"
            "政府信息公开平台建设、监督保障五个方面）。"
        },
    ),
    Rule(
        "FMT-GOV-EXTRA",
        Severity.WARNING,
        "人民政府报告考核、评议和责任追究情况",
        _fmt_gov_extra,
        {
            "item": "人民政府的年报须在监督保障中报告「{title}」（《条例》第五十条第四项），没有可答「无」。",
            "words": "人民政府的年报须在（五）监督保障中报告工作考核、社会评议和责任追究结果情况"
            "（《条例》第五十条第四项），未找到：{missing}。",
        },
    ),
    Rule(
        "FMT-ROWS",
        Severity.ERROR,
        "表格使用 2021 年格式的行",
        _fmt_rows,
        {
            "": "表三使用了 2019 年试行格式的单行「（六）其他处理」。2021 年格式要求分为三行："
            "1.申请人无正当理由逾期不补正…、2.申请人逾期未按收费通知要求缴纳费用…、3.其他。",
            "missing": "表二缺少国家格式的「{label}」行，即使全为 0 也应列出。",
        },
    ),
    Rule(
        "FMT-LABELS",
        Severity.WARNING,
        "表三行名与官方格式一致",
        _fmt_labels,
        {"": "表三行名「{printed}」与官方格式「{official}」不一致，请改用官方写法。"},
    ),
    Rule(
        "FMT-TITLE",
        Severity.WARNING,
        "标题格式规范",
        _fmt_title,
        {"": "标题「{title}」不符合「机关全称 + {year}年 + 政府信息公开工作年度报告」的格式。"},
    ),
    Rule(
        "FMT-S5",
        Severity.WARNING,
        "五写明问题和改进措施",
        _fmt_s5,
        {
            "empty": "五、存在的主要问题及改进情况没有内容。请写明存在的主要问题和具体的改进措施。",
            "lacking": "五、存在的主要问题及改进情况未写明{lacking}（宜同时说明上年度问题的整改情况），请补充。",
        },
    ),
    Rule(
        "FMT-LEN",
        Severity.INFO,
        "总体情况篇幅",
        _fmt_len,
        {"": "一、总体情况共约 {length} 字。部分地区要求原则上不超过 {limit} 字，可酌情精简。"},
    ),
)
