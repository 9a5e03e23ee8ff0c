"""Rules that compare this year's report with last year's, or catch last year's copied text.

XY-CARRY (上年结转, per column) is a core rule in `dialogs.rules`. Here: the 现行有效 stock
of 规章 and 行政规范性文件 rolling forward, narrative duplication (宿迁 deducts points above
50 %), years copied from last year's file, and typos or old rows carried over with the template.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from dialogs.form import Narratives, Value
from dialogs.rules import Hit, Message, ReportFacts, Rule, Severity, hit
from dialogs.rules_format import row_label_key
from dialogs.textscan import compact, paragraphs, quote, sentences, text_of
from dialogs.title import given_title

DUPLICATION_LIMIT = 0.5
"""宿迁's scoring: "与上年度重复率大于50%的，扣0.5分"."""

_PERIOD = re.compile(
    r"(?P<start>\d{4})年(?:度)?1月1日(?:起)?(?:至|到|—|－|-|~|～)(?P<end>\d{4})年(?:度)?12月31日(?:止)?"
)
_TITLE_YEAR = re.compile(r"(\d{4})年")
_LEGITIMATE_PAST = re.compile(r"相比|同比|对比|比较|年报|年度报告|上年度报告")
_HEADING = re.compile(r"^[（(][一二三四五六七八九十]+[）)][^。]{0,20}?[。：:]")


def _xy_stock(facts: ReportFacts) -> Iterable[Hit]:
    """现行有效(N) = 现行有效(N-1) + 制发(N) − 废止(N); clean-ups and expiry explain misses, so WARN."""
    if facts.previous is None:
        return
    for stock in facts.form.stocks:
        before = facts.previous_count(stock.in_force)
        issued = facts.count(stock.issued)
        abolished = facts.count(stock.abolished)
        in_force = facts.count(stock.in_force)
        if before is None or issued is None or abolished is None or in_force is None:
            continue
        expected = before + issued - abolished
        if expected != in_force:
            yield hit(
                stock.in_force,
                label=stock.label,
                in_force=in_force,
                before=before,
                issued=issued,
                abolished=abolished,
                expected=expected,
            )


def _bigrams(text: str) -> set[str]:
    # Digits and punctuation are dropped: a copy with this year's numbers is still a copy.
    letters = re.sub(r"[\s\d\W_]", "", text)
    return {letters[i : i + 2] for i in range(len(letters) - 1)}


# Checked on every review of a report while its narratives rarely change: kept per text pair
# (a float each; the bigram sets themselves would be far larger to keep).
@lru_cache(maxsize=1024)
def similarity(this_year: str, last_year: str) -> float:
    """Character-bigram Jaccard similarity, 0..1 (0 when either text is empty)."""
    a, b = _bigrams(this_year), _bigrams(last_year)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _narratives(texts: Narratives, answers: Mapping[str, Value]) -> dict[str, str]:
    # The preamble is legal boilerplate that should stay the same from year to year.
    return {k: text_of(answers, k) for k in texts.all if k != texts.preamble and text_of(answers, k).strip()}


def _xy_dup(facts: ReportFacts) -> Iterable[Hit]:
    if facts.previous is None:
        return
    texts = facts.form.texts
    now, before = _narratives(texts, facts.answers), _narratives(texts, facts.previous)
    if not now or not before:
        return
    overall = similarity("\n".join(now.values()), "\n".join(before.values()))
    if overall <= DUPLICATION_LIMIT:
        return
    keys = tuple(k for k in now if k in before and similarity(now[k], before[k]) > DUPLICATION_LIMIT)
    yield Hit(keys, fields={"overall": f"{overall:.0%}"})


def _wrong_years(found: Iterable[str], year: int) -> list[str]:
    return [y for y in found if int(y) != year]


def _xy_year(facts: ReportFacts) -> Iterable[Hit]:
    year = facts.year
    printed = given_title(facts)
    if printed:
        title = compact(printed)
        wrong = _wrong_years(_TITLE_YEAR.findall(title), year)
        if wrong:
            yield hit(case="title", title=quote(title), wrong=wrong[0], year=year)
    for key in facts.form.texts.all:
        text = compact(text_of(facts.answers, key))
        for m in _PERIOD.finditer(text):
            if int(m.group("start")) != year or int(m.group("end")) != year:
                yield hit(key, case="period", period=m.group(0), year=year)
    yield from _last_year_as_current(facts)


def _last_year_as_current(facts: ReportFacts) -> Iterable[Hit]:
    """A paragraph that opens with "N-1年，" narrates last year as if it were this year."""
    opener = re.compile(rf"^{facts.year - 1}年(?:度)?(?:[，,]|以来|全年|期间|我|本)")
    texts = facts.form.texts
    for key in (*texts.overall, texts.problems, texts.other_matters):
        for paragraph in paragraphs(text_of(facts.answers, key)):
            body = _HEADING.sub("", compact(paragraph), count=1)
            if not opener.match(body):
                continue
            first = sentences(body)[0]
            if _LEGITIMATE_PAST.search(first):
                continue
            # 五 often recounts last year's problems; elsewhere the opener is a copy-paste.
            case = "opener_problems" if key == texts.problems else "opener"
            yield hit(key, case=case, sentence=quote(first), last_year=facts.year - 1, year=facts.year)
            break


def _xy_template(facts: ReportFacts) -> Iterable[Hit]:
    """Typos and old rows that survive from last year's file show the template was copied."""
    now, before = facts.source, facts.previous_source
    if now is None or before is None:
        return
    if now.old_other_row and before.old_other_row:
        yield hit(case="old_row")
    for row, label in now.row_labels.items():
        if before.row_labels.get(row) == label:
            yield hit(row_label_key(facts.form, row), case="label", label=label)


CROSS_YEAR_RULES: tuple[Rule, ...] = (
    Rule(
        "XY-STOCK",
        Severity.WARNING,
        "现行有效件数逐年结转",
        _xy_stock,
        {
            "": "表二「{label}：现行有效件数」为 {in_force}，但按去年现行有效 {before} + 本年制发 {issued}"
            " − 本年废止 {abolished} 推算应为 {expected}。如因清理、失效等原因变化，请在确认时说明。"
        },
    ),
    Rule(
        "XY-DUP",
        Severity.WARNING,
        "正文与去年重复率不超过 50%",
        _xy_dup,
        {
            "": "本年报告正文与去年报告的文字重复率约为 {overall}，超过 50%（宿迁等地评估扣分线）。"
            "请结合本年实际工作改写，避免内容雷同。"
        },
    ),
    Rule(
        "XY-YEAR",
        Severity.ERROR,
        "标题、统计期限和正文年份与报告年度一致",
        _xy_year,
        {
            "title": "标题「{title}」中的年份 {wrong} 与报告年度 {year} 不一致，可能沿用了往年的标题。",
            "period": "统计期限「{period}」与报告年度不一致，应为 {year}年1月1日至{year}年12月31日。",
            "opener": "「{sentence}」以 {last_year} 年开头，像是沿用了去年的文字；本报告年度为 {year} 年，请核对。",
            # 五 recounts last year's problems often enough that its opener only warns.
            "opener_problems": Message(
                "「{sentence}」以 {last_year} 年开头，像是沿用了去年的文字；本报告年度为 {year} 年，请核对。",
                Severity.WARNING,
            ),
        },
    ),
    Rule(
        "XY-TEMPLATE",
        Severity.WARNING,
        "不沿用去年模板中的错误",
        _xy_template,
        {
            "old_row": "表三今年和去年都使用 2019 年试行格式的单行「（六）其他处理」，说明表格模板是从去年沿用的，"
            "请改用 2021 年格式。",
            "label": "表三行名「{label}」与去年报告中的写法完全相同且与官方格式不一致，说明错误是随模板沿用的。",
        },
    ),
)
