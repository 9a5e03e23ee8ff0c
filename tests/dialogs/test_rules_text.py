"""TXT-APPS, TXT-RL, TXT-DOCS, TXT-ZERO and TXT-FEE: the narratives quote the tables."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dialogs.rules import Severity
from tests.helpers.rule_reports import changed, findings, make_facts

# The clean report: 新收 12, 上年结转 1, 办结 11, 结转下年度 2; 复议 2, 直接起诉 1, 复议后起诉 0.
TEXT_RULES = ("TXT-APPS", "TXT-RL", "TXT-DOCS", "TXT-ZERO", "TXT-FEE")


def _requests(text: str) -> list[tuple[str, Severity, tuple[str, ...], str]]:
    facts = changed(make_facts(), text__s1__requests=text)
    return [(f.rule_id, f.severity, f.keys, f.message) for f in findings(facts, "TXT-APPS")]


def test_generated_sentences_pass_every_text_rule() -> None:
    facts = make_facts()
    for rule_id in TEXT_RULES:
        assert findings(facts, rule_id) == [], rule_id


@pytest.mark.parametrize(
    "text",
    [
        "2024年，全区共受理政府信息公开申请12件，答复11件（含上年度结转申请1件，另有2件顺延到下年度答复）。",
        "本年收到政府信息公开申请12件，上年结转1件，办结11件，结转至下年度2件。",
        "全年办理政府信息公开申请13件。",
        "全年办理政府信息公开申请11件。",
        "本年共收到政府信息公开申请13件（含上年结转1件）。",
        "本年新收政府信息公开申请十二件。",
        "本年受理政府信息公开申请12起，其中自然人申请10起。",
        "本年收到政府信息公开申请12件，另通过网站答复网民留言300条。",
        "本年受理政府信息公开申请10余件。",
    ],
)
def test_consistent_application_numbers_pass(text: str) -> None:
    assert _requests(text) == []


@pytest.mark.parametrize(
    ("text", "key", "quoted"),
    [
        (
            "2024年，区政府办代表区政府受理政府信息公开申请17件，均已在法定期限内予以答复。",
            "t3.new.total",
            "17",
        ),
        ("本年收到政府信息公开申请12件，答复10件。", "t3.total_processed.total", "10"),
        ("本年新收政府信息公开申请12件，上年结转3件。", "t3.carried_in.total", "3"),
        ("本年受理申请12件，另有5件顺延到下年度答复。", "t3.carried_out.total", "5"),
        ("本年新收申请12件，结转至下年度继续办理4件。", "t3.carried_out.total", "4"),
        ("本年受理政府信息公开申请9起。", "t3.new.total", "9"),
        ("本年收到依申请公开事项9条。", "t3.new.total", "9"),
        ("全年办理政府信息公开申请20件。", "t3.total_processed.total", "20"),
        ("本年新收政府信息公开申请十七件。", "t3.new.total", "17"),
    ],
)
def test_contradicting_application_numbers_warn(text: str, key: str, quoted: str) -> None:
    ((rule_id, severity, keys, message),) = _requests(text)
    assert rule_id == "TXT-APPS"
    assert severity is Severity.WARNING
    assert keys == ("text.s1.requests", key)
    assert f"中的 {quoted} 件" in message
    assert "「" in message


def test_received_including_carry_over_is_explained() -> None:
    # 平潭 2022: "收到……75件" against 新收 74 + 上年结转 1.
    ((_, _, keys, message),) = _requests("本年共收到政府信息公开申请13件。")
    assert keys == ("text.s1.requests", "t3.new.total")
    assert "本年新收 12 + 上年结转 1" in message


def test_result_breakdown_is_compared_with_the_result_rows() -> None:
    ((_, _, keys, message),) = _requests("本年新收申请12件。办理结果中，予以公开5件，部分公开2件。")
    assert keys == ("text.s1.requests", "t3.granted.total")
    assert "予以公开 5 件" in message
    assert "为 6" in message


def _rl(text: str, key: str = "text.s1.requests") -> list[tuple[Severity, tuple[str, ...], str]]:
    facts = changed(make_facts(), **{key.replace(".", "__"): text})
    return [(f.severity, f.keys, f.message) for f in findings(facts, "TXT-RL")]


@pytest.mark.parametrize(
    "text",
    [
        "本机关因政府信息公开工作被申请行政复议2件，其中结果维持1件，尚未审结1件；被提起行政诉讼1件，其中结果纠正1件。",
        "政府信息公开行政复议2件，行政诉讼1件（其中未经复议直接起诉1件，复议后起诉0件）。",
        "本年发生政府信息公开行政复议、行政诉讼各1件。",
    ],
)
def test_consistent_review_and_litigation_numbers_pass(text: str) -> None:
    assert _rl(text) == []


@pytest.mark.parametrize(
    ("text", "keys", "quoted"),
    [
        ("政府信息公开行政复议3件。", ("t4.review.total",), "行政复议 3 件"),
        ("政府信息公开行政复议2件，其中结果维持2件。", ("t4.review.upheld",), "「结果维持」 2 件"),
        (
            "被提起政府信息公开行政诉讼2件。",
            ("t4.litigation_direct.total", "t4.litigation_after_review.total"),
            "行政诉讼（直接起诉 + 复议后起诉） 2 件",
        ),
        (
            "政府信息公开行政诉讼1件，其中复议后起诉1件。",
            ("t4.litigation_after_review.total",),
            "复议后起诉 1 件",
        ),
        (
            "因政府信息公开被申请行政复议2件，被诉1起，其中未经复议直接起诉2起。",
            ("t4.litigation_direct.total",),
            "2 件",
        ),
    ],
)
def test_contradicting_review_and_litigation_numbers_warn(
    text: str, keys: tuple[str, ...], quoted: str
) -> None:
    ((severity, found_keys, message),) = _rl(text)
    assert severity is Severity.WARNING
    assert found_keys == keys
    assert quoted in message
    assert "表四" in message


def test_review_numbers_elsewhere_are_read_only_about_disclosure() -> None:
    # A 司法局 describing its own work as a reviewing body is not table 四.
    assert _rl("全年办理行政复议案件300件。", "text.s1.oversight") == []
    ((_, keys, _),) = _rl("全年因政府信息公开被申请行政复议5件。", "text.s1.oversight")
    assert keys == ("t4.review.total",)


def _docs(text: str) -> list[tuple[Severity, tuple[str, ...], str]]:
    facts = changed(make_facts(), text__s1__management=text)
    return [(f.severity, f.keys, f.message) for f in findings(facts, "TXT-DOCS")]


@pytest.mark.parametrize(
    "text",
    [
        "动态更新发布本年度制发行政规范性文件3件，现行有效行政规范性文件20件。",
        "全年新增公开市政府规章0件、市政府及市政府办政策性文件11件。",
        "清理规范性文件45件，完善规章制度8件。",
    ],
)
def test_consistent_document_numbers_pass(text: str) -> None:
    assert _docs(text) == []


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("截至年底，现行有效行政规范性文件393件。", "t2.normative_documents.in_force"),
        ("本年制发行政规范性文件5件。", "t2.normative_documents.issued"),
        ("本年废止规范性文件4件。", "t2.normative_documents.abolished"),
        ("全年新增公开规章1件。", "t2.regulations.issued"),
    ],
)
def test_contradicting_document_numbers_warn(text: str, key: str) -> None:
    ((severity, keys, message),) = _docs(text)
    assert severity is Severity.WARNING
    assert keys == ("text.s1.management", key)
    assert "表二" in message
    assert text[:6] in message


def _zero_facts(text: str) -> list[tuple[Severity, tuple[str, ...], str]]:
    facts = changed(
        make_facts(),
        t3__new__natural_person=0,
        t3__new__commercial_enterprise=0,
        t3__new__total=0,
        text__s1__requests=text,
    )
    return [(f.severity, f.keys, f.message) for f in findings(facts, "TXT-ZERO")]


@pytest.mark.parametrize(
    "text",
    [
        "2024年，本机关未收到政府信息公开申请。",
        "2024 年我局收到依申请公开事项 0 条。",
        "本年度无政府信息公开申请。",
    ],
)
def test_no_applications_said_passes(text: str) -> None:
    assert _zero_facts(text) == []


def test_no_applications_not_said_warns() -> None:
    ((severity, keys, message),) = _zero_facts("始终把依申请公开工作作为重要部分，规范办理流程。")
    assert severity is Severity.WARNING
    assert keys == ("text.s1.requests", "t3.new.total")
    assert "未收到" in message


def test_saying_none_received_with_applications_warns() -> None:
    facts = changed(make_facts(), text__s1__requests="本年度未收到政府信息公开申请。")
    (finding,) = findings(facts, "TXT-ZERO")
    assert finding.severity is Severity.WARNING
    assert "「本年度未收到政府信息公开申请」" in finding.message
    assert "12" in finding.message


def test_no_review_received_is_not_about_applications() -> None:
    facts = changed(make_facts(), text__s1__requests="本年新收申请12件。未收到政府信息公开行政复议申请。")
    assert findings(facts, "TXT-ZERO") == []


@pytest.mark.parametrize(
    ("text", "fee"),
    [
        ("2024年，市政府全年收取政府信息公开信息处理费3940元。", Decimal(3940)),
        ("2024年，区政府全年收取政府信息公开信息处理费0元。", Decimal(0)),
        ("2024年，无收取信息处理费情况。", Decimal(0)),
        ("本单位2024年度未收取政府信息公开信息处理费", Decimal(0)),
        ("今年未收取信息处理费。", Decimal(0)),
    ],
)
def test_fee_statements_pass(text: str, fee: Decimal) -> None:
    facts = changed(make_facts(), text__s6=text, s6__processing_fee=fee)
    assert findings(facts, "TXT-FEE") == []


def test_missing_fee_statement_is_an_error() -> None:
    facts = changed(make_facts(), text__s6="本年度认真落实政务公开工作要点。")
    (finding,) = findings(facts, "TXT-FEE")
    assert finding.severity is Severity.ERROR
    assert finding.keys == ("text.s6",)
    assert "信息处理费" in finding.message


def test_bare_none_is_accepted_with_a_prompt() -> None:
    (finding,) = findings(changed(make_facts(), text__s6="无"), "TXT-FEE")
    assert finding.severity is Severity.WARNING
    assert "「无」" in finding.message


@pytest.mark.parametrize(
    ("text", "fee", "said"),
    [
        ("本年收取信息处理费300元。", Decimal(200), "「300元」"),
        ("本年未收取信息处理费。", Decimal(200), "未收取"),
    ],
)
def test_fee_statement_contradicting_the_amount_warns(text: str, fee: Decimal, said: str) -> None:
    (finding,) = findings(changed(make_facts(), text__s6=text, s6__processing_fee=fee), "TXT-FEE")
    assert finding.severity is Severity.WARNING
    assert finding.keys == ("text.s6", "s6.processing_fee")
    assert said in finding.message
