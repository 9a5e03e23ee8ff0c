"""The report title in the dialog: the default proposed, one confirm keeps it, a published one set."""

from __future__ import annotations

import pytest

from dialogs.engine import Mode
from dialogs.rules import Severity
from dialogs.title import TITLE_KEY
from templates import build_context, render_text
from tests.helpers.dialog import Driver, fill
from tests.helpers.rule_reports import YEAR, findings, make_facts, with_answers

DEFAULT = "某某区行政审批局2024年政府信息公开工作年度报告"
PUBLISHED = "某某区行政审批局2024年度政府信息公开工作年度报告"


def filled() -> Driver:
    driver = Driver()
    fill(driver)
    assert driver.state.mode is Mode.REVIEW
    return driver


def printed_title(driver: Driver) -> str:
    ctx = build_context(
        driver.form,
        agency=driver.info.agency,
        unit=driver.info.unit,
        year=driver.info.year,
        answers=driver.answers,
    )
    return render_text(ctx).splitlines()[0]


def test_the_review_shows_the_title_and_offers_to_change_it() -> None:
    driver = filled()
    assert f"报告标题：{DEFAULT}（回复「标题」修改）" in driver.last_text
    assert "title" in driver.last_choices


def test_the_default_title_is_proposed_and_one_confirm_keeps_it() -> None:
    driver = filled()
    driver.press("title")
    assert f"报告标题：\n{DEFAULT}\n回复「确认」保留此标题" in driver.last_text
    assert driver.last_choices == ("accept", "return")

    driver.press("accept")

    assert f"报告标题保持为「{DEFAULT}」。" in driver.last_text
    assert driver.state.mode is Mode.REVIEW
    assert TITLE_KEY not in driver.answers
    assert printed_title(driver) == DEFAULT


def test_a_published_title_is_set_in_the_dialog_and_printed() -> None:
    driver = filled()
    driver.send("标题")
    driver.send(PUBLISHED)

    assert f"报告标题已设为「{PUBLISHED}」。" in driver.last_text
    assert f"报告标题：{PUBLISHED}（回复「标题」修改）" in driver.last_text
    assert driver.state.mode is Mode.REVIEW
    assert driver.answers[TITLE_KEY] == PUBLISHED
    assert printed_title(driver) == PUBLISHED

    driver.send("修改标题")
    assert f"报告标题：\n{PUBLISHED}\n" in driver.last_text  # the current title is proposed next time


def test_a_title_pasted_over_two_lines_is_stored_as_one() -> None:
    driver = filled()
    driver.send("标题")
    driver.send("某某区行政审批局\n2024年度政府信息公开工作年度报告")
    assert driver.answers[TITLE_KEY] == PUBLISHED


def test_typing_the_default_title_stores_nothing() -> None:
    driver = filled()
    driver.send("标题")
    driver.send(PUBLISHED)
    driver.send("标题")
    driver.send(DEFAULT)
    assert TITLE_KEY not in driver.answers
    assert printed_title(driver) == DEFAULT


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("年报", "「年报」太短，不像完整的报告标题。"),
        (
            "某某区行政审批局\x072024年度政府信息公开工作年度报告",
            "标题中含有无法打印的控制字符，请重新输入。",
        ),
        ("某" * 101, "标题有 101 个字，超过 100 个字。"),
    ],
    ids=["too-short", "control-character", "too-long"],
)
def test_a_bad_title_is_refused_and_nothing_is_stored(typed: str, message: str) -> None:
    driver = filled()
    driver.send("标题")
    before = dict(driver.answers)

    step = driver.send(typed)

    assert message in driver.last_text
    assert step.writes == ()
    assert driver.answers == before
    assert driver.state.mode is Mode.TITLE  # still asked for the title
    assert f"报告标题：\n{DEFAULT}\n" in driver.last_text


def test_leaving_the_title_returns_to_the_question_it_was_opened_from() -> None:
    driver = Driver()
    driver.resume()
    driver.send("0 0 0")  # 规章
    assert driver.item == "t2.normative_documents"
    driver.send("标题")
    assert driver.state.token == Mode.TITLE.value

    driver.send("返回")

    assert driver.state.mode is Mode.ASK
    assert driver.item == "t2.normative_documents"
    assert TITLE_KEY not in driver.answers


def test_a_title_without_the_report_words_or_year_is_a_warning() -> None:
    facts = with_answers(make_facts(), {TITLE_KEY: "某某区教育局工作总结"})
    (finding,) = findings(facts, "FMT-TITLE")
    assert finding.severity is Severity.WARNING
    assert "某某区教育局工作总结" in finding.message


def test_a_title_with_another_year_blocks_submission() -> None:
    facts = with_answers(make_facts(), {TITLE_KEY: f"某某区教育局{YEAR - 1}年度政府信息公开工作年度报告"})
    (finding,) = findings(facts, "XY-YEAR")
    assert finding.severity is Severity.ERROR


def test_a_published_title_passes_every_title_rule() -> None:
    facts = with_answers(make_facts(), {TITLE_KEY: f"某某区教育局{YEAR}年度政府信息公开工作年度报告"})
    assert findings(facts, "FMT-TITLE") == []
    assert findings(facts, "XY-YEAR") == []
