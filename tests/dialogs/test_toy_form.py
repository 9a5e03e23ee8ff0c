"""The engine and the rules over a form declared here: nothing of the 2021 format is needed.

A three-field toy form (two counts with a computed total, and a narrative) and one rule
declared in this test walk the whole dialog: ask, back, skip, review, submit.
"""

from __future__ import annotations

from collections.abc import Iterable

from dialogs.engine import Event, Mode, ReportInfo
from dialogs.form import Field, Form, Item, Section, UnitKind, ValueKind
from dialogs.rules import Hit, Message, ReportFacts, Rule, Severity, hit, run_rules
from tests.helpers.dialog import Driver

TOY = Form(
    version="toy",
    sections=(Section("visits", "一、来访情况", "来访"),),
    items=(
        Item(
            "visits.morning",
            "visits",
            "上午来访人数",
            (Field("visits.morning", "上午来访", ValueKind.COUNT, "人"),),
        ),
        Item(
            "visits.evening",
            "visits",
            "下午来访人数",
            (Field("visits.evening", "下午来访", ValueKind.COUNT, "人"),),
        ),
        Item("visits.note", "visits", "来访情况说明", (Field("visits.note", "说明", ValueKind.TEXT),)),
    ),
    computed=(
        Field("visits.total", "来访合计", ValueKind.COUNT, "人", sums=("visits.morning", "visits.evening")),
    ),
    title_format="{agency}{year}年来访统计",
)


def _at_most_ten(facts: ReportFacts) -> Iterable[Hit]:
    total = facts.count("visits.total")
    if total is not None and total > 10:
        yield hit("visits.total", total=total)


AT_MOST_TEN = Rule(
    "TOY-MAX", Severity.ERROR, "来访合计不超过 10 人", _at_most_ten, {"": "来访合计 {total} 人，超过 10 人。"}
)
INFO = ReportInfo("某某街道办事处", UnitKind.DEPARTMENT, 2024)


def _driver() -> Driver:
    driver = Driver(TOY, INFO, rules=(AT_MOST_TEN,))
    driver.resume()
    return driver


def _mode(driver: Driver) -> Mode:
    return driver.state.mode


def test_a_toy_form_is_asked_answered_skipped_reviewed_and_submitted() -> None:
    driver = _driver()
    assert "上午来访人数" in driver.last_text
    driver.send("3")
    assert driver.state.item == "visits.evening"
    driver.send("上一步")
    assert driver.state.item == "visits.morning"
    driver.send("4")
    assert driver.answers["visits.morning"] == 4
    driver.send("跳过")
    assert driver.state.item == "visits.note"
    driver.send("上午来访较多。")
    driver.send("完成")
    assert _mode(driver) is Mode.REVIEW
    assert "下午来访人数" in driver.last_text  # listed as still missing
    assert driver.send("提交").events == ()
    driver.send("修改 2")
    driver.send("9")
    assert driver.answers["visits.total"] == 13  # the computed total, never asked
    assert _mode(driver) is Mode.REVIEW
    assert "来访合计 13 人，超过 10 人。" in driver.last_text
    assert driver.send("提交").events == ()
    driver.send("修改 2")
    driver.send("5")
    assert driver.answers["visits.total"] == 9
    assert "✓ 来访合计不超过 10 人" in driver.last_text
    result = driver.send("提交")
    assert result.events == (Event.SUBMITTED,)
    assert _mode(driver) is Mode.SUBMITTED
    stored = {k: v for k, v in driver.answers.items() if not k.startswith("review.")}
    assert stored == {
        "visits.morning": 4,
        "visits.evening": 5,
        "visits.total": 9,
        "visits.note": "上午来访较多。",
    }


def test_a_rule_declared_here_gives_its_severity_and_message_to_every_finding() -> None:
    facts = ReportFacts(
        TOY, UnitKind.DEPARTMENT, 2024, {"visits.morning": 8, "visits.evening": 7, "visits.total": 15}
    )
    [finding] = run_rules(facts, (AT_MOST_TEN,))
    assert (finding.rule_id, finding.severity, finding.message, finding.keys) == (
        "TOY-MAX",
        Severity.ERROR,
        "来访合计 15 人，超过 10 人。",
        ("visits.total",),
    )
    assert run_rules(ReportFacts(TOY, UnitKind.DEPARTMENT, 2024, {"visits.total": 9}), (AT_MOST_TEN,)) == []


def _quiet_or_busy(facts: ReportFacts) -> Iterable[Hit]:
    total = facts.count("visits.total")
    if total == 0:
        yield hit("visits.total", case="none")
    elif total is not None and total > 10:
        yield hit("visits.total", case="many", total=total)


def test_a_rule_declares_each_case_with_its_own_severity_once() -> None:
    rule = Rule(
        "TOY-CASES",
        Severity.ERROR,
        "来访人数合理",
        _quiet_or_busy,
        {
            "many": "来访合计 {total} 人，超过 10 人。",
            "none": Message("本年没有来访，请确认。", Severity.INFO),
        },
    )
    quiet = run_rules(ReportFacts(TOY, UnitKind.DEPARTMENT, 2024, {"visits.total": 0}), (rule,))
    busy = run_rules(ReportFacts(TOY, UnitKind.DEPARTMENT, 2024, {"visits.total": 11}), (rule,))
    assert [(f.severity, f.message) for f in quiet] == [(Severity.INFO, "本年没有来访，请确认。")]
    assert [(f.severity, f.message) for f in busy] == [(Severity.ERROR, "来访合计 11 人，超过 10 人。")]
