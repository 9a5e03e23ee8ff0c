"""What a narrative claims about the tables: "受理申请17件" → (新收, 17).

The text rules compare these claims with 表二/三/四. A claim is only read when the words
next to a number say which cell it is about; anything vague (approximate numbers, counts by
applicant type, 留言 and 咨询, "各1件") is left alone, because a warning on a correct sentence
costs more trust than a missed one.

Sentences are read clause by clause, and a sentence has a topic: once a clause names 复议 or
诉讼 the numbers that follow are about table 四 ("其中结果维持72件"), once it names 申请 they are
about table 三.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from dialogs.textscan import Segment, clauses, segments, sentences


class Apps(Enum):
    """The 总计-column figures of table 三 a sentence can quote."""

    RECEIVED = "received"  # 新收 / 收到 / 受理
    HANDLED = "handled"  # 办理: 新收, 新收 + 上年结转, or 办结
    PROCESSED = "processed"  # 办结 / 答复
    CARRIED_IN = "carried_in"  # 上年结转
    CARRIED_OUT = "carried_out"  # 结转下年度 / 顺延


@dataclass(frozen=True, slots=True)
class AppsClaim:
    kind: Apps
    value: int
    sentence: str
    includes_carried_in: bool
    """The sentence says the figure includes 上年结转 ("含上年结转1件")."""


@dataclass(frozen=True, slots=True)
class ResultClaim:
    """A 办理结果 figure: "予以公开50件" → the outcome group the form declares under `label`."""

    label: str
    value: int
    sentence: str


@dataclass(frozen=True, slots=True)
class ReviewClaim:
    """A table-四 figure; group "litigation" is 直接起诉 + 复议后起诉."""

    group: str
    result: str
    value: int
    sentence: str


@dataclass(frozen=True, slots=True)
class DocsClaim:
    row: str  # "normative_documents" or "regulations"
    column: str  # "issued", "abolished" or "in_force"
    value: int
    sentence: str


_APPS_WORDS = (
    (Apps.CARRIED_OUT, re.compile(r"顺延|结转(?:至|到)?下一?年|转入下一?年|下年度继续办理")),
    (
        Apps.CARRIED_IN,
        re.compile(r"(?:上|上一|去)年度?(?:申请)?结转|结转(?:的)?上一?年|上年度?(?:遗留|转入)"),
    ),
    (Apps.PROCESSED, re.compile(r"办结|答复|办理完毕|处理完毕|完成办理|办复")),
    (Apps.HANDLED, re.compile(r"办理|处理")),
    (Apps.RECEIVED, re.compile(r"新收|收到|受理|接收|接到|申请")),
)
RESULT_LABELS = ("予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理")
"""The outcome groups as narratives name them (the names of the form's outcome groups)."""
_INCLUDES_CARRIED = re.compile(r"(?:含|包括|其中)[^。]{0,8}(?:上|上一|去)年度?[^。]{0,4}结转")
_APPLICANT = re.compile(r"自然人|法人|企业|科研机构|公益组织|法律服务机构|其他组织")
_OTHER_CHANNEL = re.compile(r"留言|咨询|热线|来电|来信|邮件|信件|诉求")
_EACH = re.compile(r"各|分别")
_REVIEW_OR_SUIT = re.compile(r"复议|诉讼|起诉")

_AFTER_REVIEW = re.compile(r"复议后\S{0,4}?(?:诉讼|起诉)")
_DIRECT = re.compile(r"未经复议|直接\S{0,4}?(?:诉讼|起诉)")
_SUIT = re.compile(r"诉讼|起诉")
_T4_RESULTS = (
    ("upheld", re.compile(r"维持")),
    ("corrected", re.compile(r"纠正")),
    ("pending", re.compile(r"尚未审结|未审结|审理中|未结")),
    ("other", re.compile(r"其他")),
)

_DOC_ROWS = re.compile(r"规范性文件|规章(?!制度)")
_DOC_COLUMNS = (
    ("in_force", re.compile(r"现行有效")),
    ("abolished", re.compile(r"废止|宣布失效")),
    ("issued", re.compile(r"制发|出台|印发|制定|新增|发布")),
)


def _apps_kind(text: str) -> Apps | None:
    return next((kind for kind, words in _APPS_WORDS if words.search(text)), None)


def _result(text: str) -> str | None:
    return next((label for label in RESULT_LABELS if label in text), None)


def _review_group(text: str) -> str | None:
    """The table-四 group a text names; "mixed" when it names 复议 and 诉讼 together."""
    if _AFTER_REVIEW.search(text):
        return "litigation_after_review"
    if _DIRECT.search(text):
        return "litigation_direct"
    suit, review = bool(_SUIT.search(text)), "复议" in text
    if suit and review:
        return "mixed"
    if suit:
        return "litigation"
    return "review" if review else None


def _review_result(text: str) -> str | None:
    return next((key for key, words in _T4_RESULTS if words.search(text)), None)


@dataclass(slots=True)
class _Reader:
    """Walks the sentences of one narrative and collects its claims."""

    disclosure_only: bool
    """Read table-四 figures only in sentences about 信息公开 (an 总体情况 paragraph may
    describe the agency's own 复议 work as a reviewing body)."""
    apps: list[AppsClaim]
    results: list[ResultClaim]
    reviews: list[ReviewClaim]

    def read(self, text: str, *, with_apps: bool) -> None:
        for sentence in sentences(text):
            includes = bool(_INCLUDES_CARRIED.search(sentence))
            topic: str | None = None
            group: str | None = None
            for clause in clauses(sentence):
                if _REVIEW_OR_SUIT.search(clause):
                    topic = "review"
                elif "申请" in clause:
                    topic = "apps"
                for seg in segments(clause, sentence):
                    if seg.number.is_approximate or _EACH.search(seg.before):
                        continue
                    if topic == "review":
                        group = self._review(seg, group)
                    elif with_apps:
                        self._apps(seg, topic, includes)

    def _review(self, seg: Segment, group: str | None) -> str | None:
        if self.disclosure_only and "信息公开" not in seg.sentence:
            return group
        text = seg.before if (_review_group(seg.before) or _review_result(seg.before)) else seg.after
        named = _review_group(text)
        if named == "mixed":
            return None
        group = named or group
        result = _review_result(text)
        if group is not None and (result is not None or named is not None):
            self.reviews.append(ReviewClaim(group, result or "total", seg.number.value, seg.sentence))
        return group

    def _apps(self, seg: Segment, topic: str | None, includes: bool) -> None:
        if _APPLICANT.search(seg.before) or _OTHER_CHANNEL.search(seg.clause):
            return
        result = _result(seg.before) or (None if _apps_kind(seg.before) else _result(seg.after))
        if result is not None:
            self.results.append(ResultClaim(result, seg.number.value, seg.sentence))
            return
        if topic != "apps":
            return
        kind = _apps_kind(seg.before) or _apps_kind(seg.after)
        if kind is not None:
            self.apps.append(AppsClaim(kind, seg.number.value, seg.sentence, includes))


@dataclass(frozen=True, slots=True)
class Claims:
    apps: tuple[AppsClaim, ...]
    results: tuple[ResultClaim, ...]
    reviews: tuple[ReviewClaim, ...]


# The rules read the same narratives again on every check of a report (each edit in the review,
# each 提交) while only numbers change: texts are read once per process, a bounded number kept.
_TEXTS_KEPT = 1024


@lru_cache(maxsize=_TEXTS_KEPT)
def read_claims(requests: str, others: tuple[str, ...] = ()) -> Claims:
    """Claims of 一（二）依申请公开 (all of them) and of other 总体情况 texts (table 四 only)."""
    reader = _Reader(False, [], [], [])
    reader.read(requests, with_apps=True)
    reader.disclosure_only = True
    for text in others:
        reader.read(text, with_apps=False)
    return Claims(tuple(reader.apps), tuple(reader.results), tuple(reader.reviews))


@lru_cache(maxsize=_TEXTS_KEPT)
def read_docs_claims(text: str) -> tuple[DocsClaim, ...]:
    """制发 / 废止 / 现行有效 figures of 规范性文件 and 规章 ("制发行政规范性文件62件")."""
    out = []
    for sentence in sentences(text):
        for clause in clauses(sentence):
            for seg in segments(clause, sentence):
                rows = list(_DOC_ROWS.finditer(seg.before))
                if not rows or seg.number.is_approximate:
                    continue
                row = "regulations" if rows[-1].group(0).startswith("规章") else "normative_documents"
                lead = clause[: seg.number.start]
                column = next((c for c, words in _DOC_COLUMNS if words.search(seg.before)), None) or next(
                    (c for c, words in _DOC_COLUMNS if words.search(lead)), None
                )
                if column is not None:
                    out.append(DocsClaim(row, column, seg.number.value, sentence))
    return tuple(out)
