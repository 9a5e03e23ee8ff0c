"""The dialog engine, driven turn by turn as a person would use it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs import messages as msg
from dialogs.catalogue import ALL_RULES
from dialogs.commands import Command
from dialogs.engine import (
    DialogState,
    Event,
    Mode,
    ReportInfo,
)
from dialogs.form import UnitKind, Value
from dialogs.report_2021 import T3_APPLICANT_COLUMNS, T3_RESULT_ROWS, form_2021, t3_key
from dialogs.rules import CORE_RULES, Hit, ReportFacts, Rule, Severity, hit, run_rules
from tests.helpers.dialog import DEPARTMENT_FILL, GOVERNMENT_FILL, S5_S6_FILL, TABLES_FILL, Driver, fill

REPO = Path(__file__).resolve().parents[2]
PROCESS_LIMIT = 120  # seconds: a safety bound so a hung process fails the test, not a timing claim
FORM = form_2021()
DEPARTMENT = ReportInfo("某某区行政审批局", UnitKind.DEPARTMENT, 2024)
GOVERNMENT = ReportInfo("某某镇人民政府", UnitKind.GOVERNMENT, 2024)
DEPARTMENT_ITEMS = [i.id for i in FORM.items_for(UnitKind.DEPARTMENT)]
PROGRESS = re.compile(r"【[^】]+】第 (\d+)/(\d+) 项")


def row_values(driver: Driver, row: str) -> list[Value | None]:
    return driver.values(*(t3_key(row, c.key) for c in T3_APPLICANT_COLUMNS))


def at(item_id: str, **answers: Value) -> Driver:
    """A department driver positioned on `item_id`, with the questions before it answered."""
    driver = Driver(FORM, DEPARTMENT, answers=answers)
    driver.go_to(item_id)
    driver.resume()
    return driver


def filled(info: ReportInfo = DEPARTMENT, rules: tuple[Rule, ...] = CORE_RULES) -> Driver:
    """A driver with the whole report answered, at review."""
    driver = Driver(FORM, info, rules=rules)
    fill(driver, GOVERNMENT_FILL if info.unit is UnitKind.GOVERNMENT else DEPARTMENT_FILL)
    assert driver.state.mode is Mode.REVIEW
    return driver


def progress(text: str) -> tuple[int, int]:
    m = PROGRESS.search(text)
    assert m, f"no progress marker in:\n{text}"
    return int(m.group(1)), int(m.group(2))


# --- prompts ----------------------------------------------------------------------------
def test_first_question_is_the_first_item_with_its_progress() -> None:
    driver = Driver(FORM, DEPARTMENT)
    driver.resume()
    assert driver.item == "t2.regulations"
    assert "【二、主动公开】第 1/43 项" in driver.last_text
    assert "规章" in driver.last_text


def test_every_question_shows_its_position_n_of_total() -> None:
    driver = Driver(FORM, DEPARTMENT)
    driver.resume()
    seen = set()
    for text in DEPARTMENT_FILL:
        shown = driver.last_text
        if driver.state.mode is Mode.ASK and "已记录「" not in shown:
            assert progress(shown) == (DEPARTMENT_ITEMS.index(driver.item or "") + 1, 43)
            seen.add(driver.item)
        driver.send(text)
    assert seen == set(DEPARTMENT_ITEMS)


def test_government_report_counts_three_more_items() -> None:
    driver = Driver(FORM, GOVERNMENT)
    driver.resume()
    assert progress(driver.last_text) == (1, 46)


# --- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("item", "raw", "expected"),
    [
        ("t2.licensing", "-3", "「-3」是负数"),
        ("t2.licensing", "abc", "「abc」不是数字"),
        ("t2.licensing", "1 2", "只需要 1 个数，您输入了 2 个"),
        ("t2.licensing", "2.5", "「2.5」带有小数，这里需要整数件数"),
        ("t2.fees", "1.1234567", "最多保留 6 位小数"),
        (
            "t2.regulations",
            "1 2",
            "这里需要 3 个数（本年制发件数、本年废止件数、现行有效件数），您输入了 2 个",
        ),
        (
            "t3.new",
            "1 2 3",
            "这里需要 6 个数（自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他），您输入了 3 个",
        ),
        ("t3.new", "1 2 3 4 x 6", "「x」不是数字"),
        ("t4.review", "1 0 0", "这里需要 4 个数（结果维持、结果纠正、其他结果、尚未审结），您输入了 3 个"),
        ("t2.licensing", "   ", "没有收到数字"),
        ("text.s5", "   ", "内容为空"),
        ("text.s1.active", "完成", "内容为空"),  # done before any paragraph
        ("t2.licensing", "完成", "当前问题需要输入数字"),  # done is for narratives
        # a shortcut outside its table
        ("t2.licensing", "无行政复议、行政诉讼", "只能在表三（或表四）中使用"),
    ],
)
def test_bad_input_keeps_position_and_answers_and_says_what_was_wrong(
    item: str, raw: str, expected: str
) -> None:
    driver = at(item, **{"t2.penalty.decisions": 4})
    before_state, before_answers = driver.state, dict(driver.answers)
    result = driver.send(raw)
    assert expected in driver.last_text
    assert driver.state == before_state
    assert driver.answers == before_answers
    assert result.writes == ()
    assert progress(driver.last_text)[0] == DEPARTMENT_ITEMS.index(item) + 1


def test_bad_cell_keeps_the_cell() -> None:
    driver = at("t3.new")
    driver.send("3")
    driver.send("x")
    assert driver.state.cell == 1
    assert "「x」不是数字" in driver.last_text
    assert "请输入「商业企业」（本行第 2/6 格）" in driver.last_text


# --- table 三 rows ---------------------------------------------------------------------------
def test_a_table_three_row_in_one_message_writes_six_numbers_and_the_total() -> None:
    driver = at("t3.new")
    result = driver.send("12 3 0 0 1 0")
    assert row_values(driver, "new") == [12, 3, 0, 0, 1, 0]
    assert driver.answers[t3_key("new", "total")] == 16
    written = {w.key: w.value for w in result.writes}
    assert written[t3_key("new", "total")] == 16
    assert "已保存「一、本年新收政府信息公开申请数量」：12、3、0、0、1、0（总计 16）" in driver.last_text
    assert driver.item == "t3.carried_in"


def test_the_raw_text_is_kept_with_each_number() -> None:
    driver = at("t3.new")
    result = driver.send("１２，三，0，0，1，0")
    raws = {w.key: w.raw for w in result.writes}
    assert raws[t3_key("new", "natural_person")] == "１２，三，0，0，1，0"
    assert driver.answers[t3_key("new", "natural_person")] == 12


def test_a_table_three_row_cell_by_cell_prompts_each_next_cell() -> None:
    driver = at("t3.new")
    labels = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    for n, (value, label) in enumerate(zip(["4", "1", "0", "0", "2"], labels, strict=True), start=2):
        driver.send(value)
        assert driver.item == "t3.new"
        assert driver.state.cell == n - 1
        assert f"请输入「{label}」（本行第 {n}/6 格）" in driver.last_text
    driver.send("1")
    assert row_values(driver, "new") == [4, 1, 0, 0, 2, 1]
    assert driver.answers[t3_key("new", "total")] == 8
    assert driver.item == "t3.carried_in"
    assert driver.state.cell == 0


def test_back_within_a_row_returns_to_the_previous_cell() -> None:
    driver = at("t3.new")
    driver.send("4")
    driver.send("1")
    driver.send("上一步")
    assert (driver.item, driver.state.cell) == ("t3.new", 1)
    assert "请输入「商业企业」（本行第 2/6 格）" in driver.last_text
    driver.send("7")
    assert driver.answers[t3_key("new", "commercial_enterprise")] == 7
    assert driver.state.cell == 2


def test_back_on_the_first_cell_of_a_row_goes_to_the_previous_item() -> None:
    driver = at("t3.new")
    driver.send("4")
    driver.send("上一步")
    assert (driver.item, driver.state.cell) == ("t3.new", 0)
    driver.send("上一步")
    assert driver.item == "t2.fees"


def test_none_fills_the_whole_row_with_zeros() -> None:
    driver = at("t3.granted")
    result = driver.send("无")
    assert row_values(driver, "granted") == [0] * 6
    assert driver.answers[t3_key("granted", "total")] == 0
    assert len(result.writes) == 7
    assert driver.item == "t3.partial"


def test_none_on_an_amount_stores_a_decimal_zero() -> None:
    driver = at("t2.fees")
    driver.send("无")
    assert driver.answers["t2.fees.amount"] == 0
    assert type(driver.answers["t2.fees.amount"]) is Decimal


def test_computed_totals_are_never_asked() -> None:
    computed = {f.key for f in FORM.computed}
    for item in FORM.items:
        assert not any(f.key in computed or f.is_computed for f in item.fields), item.id
    driver = Driver(FORM, GOVERNMENT)
    fill(driver, GOVERNMENT_FILL)
    for result in driver.steps:
        assert "请输入「总计」" not in "\n".join(r.text for r in result.replies)
        for write in result.writes:
            if write.key in computed:
                assert write.raw == "", f"{write.key} was taken from what the person typed"
    assert all(key in driver.answers for key in computed)


# --- navigation ------------------------------------------------------------------------------
def test_back_on_first_question_keeps_position() -> None:
    driver = Driver(FORM, DEPARTMENT)
    driver.resume()
    driver.send("上一步")
    assert driver.item == "t2.regulations"
    assert "已经是第一项" in driver.last_text


def test_back_goes_to_the_previous_item_showing_its_current_value() -> None:
    driver = Driver(FORM, DEPARTMENT)
    driver.resume()
    driver.send("2 0 15")
    driver.press("back")
    assert driver.item == "t2.regulations"
    assert "当前已填：2、0、15" in driver.last_text


def test_return_word_outside_a_menu_goes_back() -> None:
    driver = at("t2.penalty")
    driver.send("返回")
    assert driver.item == "t2.licensing"


def test_skip_moves_on_and_the_item_is_listed_as_missing_at_review() -> None:
    driver = Driver(FORM, DEPARTMENT)
    driver.resume()
    driver.send("跳过")
    assert "已跳过「第二十条第（一）项 — 规章」" in driver.last_text
    assert driver.item == "t2.normative_documents"
    assert driver.state.skipped == ("t2.regulations",)
    for text in DEPARTMENT_FILL[1:]:
        driver.send(text)
    assert driver.state.mode is Mode.REVIEW
    assert "· 1.第二十条第（一）项 — 规章 —— 回复「修改 1」补填" in driver.last_text
    result = driver.send("提交")
    assert "还不能提交" in driver.last_text
    assert "1.第二十条第（一）项 — 规章" in driver.last_text
    assert Event.SUBMITTED not in result.events
    assert driver.state.mode is Mode.REVIEW
    driver.send("预览")
    assert "1. 第二十条第（一）项 — 规章：（已跳过）" in driver.last_text


def test_answering_a_skipped_item_clears_it_from_the_skipped_list() -> None:
    driver = Driver(FORM, DEPARTMENT)
    driver.resume()
    driver.send("跳过")
    driver.send("修改 1")
    driver.send("0 0 0")
    assert driver.state.skipped == ()


def test_toc_lists_the_parts_with_progress_and_a_number_jumps_there() -> None:
    driver = at("t2.licensing")
    driver.send("目录")
    assert driver.state.mode is Mode.TOC
    assert "1. 二、主动公开（已填 0/6）" in driver.last_text
    assert "2. 三、收到和处理申请（已填 0/24）" in driver.last_text
    assert "7. 六、其他事项（已填 0/2）" in driver.last_text
    assert "return" in driver.last_choices
    driver.send("3")
    assert (driver.state.mode, driver.item) == (Mode.ASK, "t4.review")


def test_toc_with_a_number_jumps_directly() -> None:
    driver = at("t2.licensing")
    driver.send("目录 2")
    assert (driver.state.mode, driver.item) == (Mode.ASK, "t3.new")


def test_toc_choice_by_button_jumps_to_the_first_unanswered_item_of_the_part() -> None:
    driver = Driver(FORM, DEPARTMENT)
    fill(driver, TABLES_FILL[:3])
    driver.press("toc")
    driver.press("1")
    assert driver.item == "t2.penalty"


def test_a_bad_toc_choice_keeps_the_toc_open() -> None:
    driver = at("t2.licensing")
    driver.send("目录")
    driver.send("9")
    assert driver.state.mode is Mode.TOC
    assert "请回复目录中的编号（1–7）" in driver.last_text


def test_return_from_the_toc_goes_back_to_the_same_question() -> None:
    driver = at("t3.new")
    driver.send("4")
    driver.send("目录")
    driver.send("返回")
    assert (driver.state.mode, driver.item, driver.state.cell) == (Mode.ASK, "t3.new", 1)
    assert "请输入「商业企业」" in driver.last_text


def test_preview_lists_items_with_numbers_and_values_and_keeps_the_position() -> None:
    driver = Driver(FORM, DEPARTMENT)
    fill(driver, TABLES_FILL[:8])
    state = driver.state
    driver.send("预览")
    text = driver.last_text
    assert "预览（已填 8/43 项）" in text
    assert "1. 第二十条第（一）项 — 规章：0 0 0" in text
    assert "6. 第二十条第（八）项 — 行政事业性收费：本年收费金额（单位：万元）：12.35" in text
    assert "7. 一、本年新收政府信息公开申请数量：10 2 0 0 1 0（总计 13）" in text
    assert "9. （一）予以公开：（未填）" in text
    assert driver.state == state
    assert progress(text)[0] == 9


def test_edit_by_number_then_returns_to_where_the_person_was() -> None:
    driver = Driver(FORM, DEPARTMENT)
    fill(driver, TABLES_FILL[:8])
    assert driver.item == "t3.granted"
    driver.send("修改 3")
    assert driver.item == "t2.licensing"
    assert "修改「第二十条第（五）项 — 行政许可：本年处理决定数量」" in driver.last_text
    assert "当前已填：128" in driver.last_text
    driver.send("130")
    assert driver.answers["t2.licensing.decisions"] == 130
    assert driver.item == "t3.granted"
    assert "已修改。回到您原来的位置。" in driver.last_text


def test_edit_by_label_text_then_returns_to_where_the_person_was() -> None:
    driver = Driver(FORM, DEPARTMENT)
    fill(driver, TABLES_FILL[:8])
    driver.send("修改 行政处罚")
    assert driver.item == "t2.penalty"
    driver.send("46")
    assert driver.answers["t2.penalty.decisions"] == 46
    assert driver.item == "t3.granted"


def test_edit_from_review_returns_to_review() -> None:
    driver = filled()
    driver.send("修改 予以公开")
    assert driver.item == "t3.granted"
    driver.send("5 1 0 0 0 0")
    assert driver.state.mode is Mode.REVIEW
    assert "全部项目已过一遍" in driver.last_text


def test_edit_with_an_unknown_or_ambiguous_target_says_so() -> None:
    driver = at("t2.licensing")
    driver.send("修改 不存在的项目")
    assert "没有找到「不存在的项目」" in driver.last_text
    assert driver.item == "t2.licensing"
    driver.send("修改 不予公开")
    assert "对应多个项目" in driver.last_text
    assert "11.（三）不予公开 — 1.属于国家秘密" in driver.last_text
    assert driver.item == "t2.licensing"


def test_a_short_narrative_starting_with_edit_word_is_an_answer() -> None:
    driver = at("text.s1.management")
    driver.send("修改完善了政府信息公开指南。")
    assert driver.answers["text.s1.management"] == "修改完善了政府信息公开指南。"


# --- shortcuts -------------------------------------------------------------------------------
def test_no_applications_fills_new_and_all_results_with_zero_and_asks_carried_in() -> None:
    driver = at("t3.new")
    driver.press("no_apps")
    assert row_values(driver, "new") == [0] * 6
    for row in T3_RESULT_ROWS:
        assert row_values(driver, row.key) == [0] * 6, row.key
    assert driver.answers[t3_key("total_processed", "total")] == 0
    assert row_values(driver, "carried_in") == [None] * 6
    assert driver.item == "t3.carried_in"
    assert "已将本年新收申请和全部办理结果填为 0" in driver.last_text
    driver.send("1 0 0 0 0 0")
    assert driver.item == "t3.carried_out"
    assert "按勾稽关系（一 + 二 − （七））计算应为：自然人 1、商业企业 0" in driver.last_text
    driver.send("确认")
    assert row_values(driver, "carried_out") == [1, 0, 0, 0, 0, 0]
    assert driver.item == "t4.review"


def test_no_applications_can_be_typed() -> None:
    driver = at("t3.granted")
    driver.send("本年未收到政府信息公开申请")
    assert driver.item == "t3.carried_in"
    assert driver.answers[t3_key("new", "total")] == 0


def test_no_review_or_litigation_fills_table_four_with_zero() -> None:
    driver = at("t4.review")
    driver.send("无行政复议、行政诉讼")
    for group in ("review", "litigation_direct", "litigation_after_review"):
        for result in ("upheld", "corrected", "other", "pending", "total"):
            assert driver.answers[f"t4.{group}.{result}"] == 0
    assert driver.item == "text.preamble"
    assert "已将行政复议、行政诉讼全部填为 0" in driver.last_text


def _typed_into_table_three() -> Driver:
    """At （二）部分公开 with 一 and （一） already typed (non-zero)."""
    driver = at("t3.new")
    driver.send("3 1 0 0 0 0")
    driver.send("0 0 0 0 0 0")
    driver.send("2 0 0 0 0 0")
    assert driver.item == "t3.partial"
    return driver


def test_no_applications_over_typed_numbers_lists_them_and_waits_for_confirmation() -> None:
    driver = _typed_into_table_three()
    before = dict(driver.answers)
    result = driver.send("本年未收到政府信息公开申请")
    assert result.writes == ()
    assert driver.answers == before
    assert "一、本年新收政府信息公开申请数量：自然人 3、商业企业 1" in driver.last_text
    assert "（一）予以公开：自然人 2" in driver.last_text
    assert "回复「确认清零」" in driver.last_text
    assert "confirm_change" in driver.last_choices
    driver.send("确认清零")
    assert row_values(driver, "new") == [0] * 6
    assert row_values(driver, "granted") == [0] * 6
    assert driver.item == "t3.carried_in"
    assert "已将本年新收申请和全部办理结果填为 0" in driver.last_text


@pytest.mark.parametrize("reply", ["5 0 0 0 0 0", "确认", "本年未收到政府信息公开申请", "预览"])
def test_anything_but_the_confirmation_cancels_the_shortcut_and_changes_nothing(reply: str) -> None:
    driver = _typed_into_table_three()
    before = dict(driver.answers)
    driver.send("本年未收到政府信息公开申请")
    result = driver.send(reply)
    assert result.writes == ()
    assert driver.answers == before
    assert "已取消，已填的数字没有改动" in driver.last_text
    assert driver.item == "t3.partial"
    assert driver.state.pending is None


def test_the_shortcut_confirmation_survives_a_restart() -> None:
    driver = _typed_into_table_three()
    driver.send("本年未收到政府信息公开申请")
    stored = json.loads(json.dumps(driver.state.to_json()))
    restarted = Driver(FORM, DEPARTMENT, answers=driver.answers, state=DialogState.from_json(stored))
    restarted.resume()
    assert "（一）予以公开：自然人 2" in restarted.last_text
    restarted.press("confirm_change")
    assert row_values(restarted, "new") == [0] * 6
    assert restarted.item == "t3.carried_in"


def test_no_review_over_typed_numbers_asks_before_setting_table_four_to_zero() -> None:
    driver = at("t4.review")
    driver.send("1 0 0 1")
    driver.send("无行政复议、行政诉讼")
    assert driver.answers["t4.review.upheld"] == 1
    assert "行政复议：结果维持 1、尚未审结 1" in driver.last_text
    driver.press("confirm_change")
    assert driver.answers["t4.review.upheld"] == 0
    assert driver.answers["t4.review.total"] == 0
    assert "已将行政复议、行政诉讼全部填为 0" in driver.last_text


def test_confirm_zero_with_nothing_pending_changes_nothing() -> None:
    driver = _typed_into_table_three()
    result = driver.send("确认清零")
    assert result.writes == ()
    assert "现在没有需要确认的内容" in driver.last_text
    assert driver.item == "t3.partial"


# --- the 勾稽 rule -------------------------------------------------------------------------------
def _at_carried_out() -> Driver:
    driver = Driver(FORM, DEPARTMENT)
    fill(driver, TABLES_FILL[:29])
    assert driver.item == "t3.carried_out"
    return driver


def test_a_wrong_carried_out_is_refused_naming_the_column_and_the_arithmetic() -> None:
    driver = _at_carried_out()
    result = driver.send("3 1 0 0 1 0")
    text = driver.last_text
    assert "「自然人」列不平衡" in text
    assert "本年新收 10 + 上年结转 1 = 11" in text
    assert "办理结果总计 7 + 结转下年度 3 = 10" in text
    assert "结转下年度应为 4" in text
    assert result.writes == ()
    assert driver.item == "t3.carried_out"
    assert row_values(driver, "carried_out") == [None] * 6


def test_a_wrong_carried_out_cell_is_refused_too() -> None:
    driver = _at_carried_out()
    driver.send("4")
    driver.send("2")
    assert "「商业企业」列不平衡" in driver.last_text
    assert driver.state.cell == 1


def test_the_right_carried_out_is_accepted() -> None:
    driver = _at_carried_out()
    driver.send("4 1 0 0 1 0")
    assert row_values(driver, "carried_out") == [4, 1, 0, 0, 1, 0]
    assert driver.answers[t3_key("carried_out", "total")] == 6
    assert driver.item == "t4.review"


def test_confirm_adopts_the_balance_proposal() -> None:
    driver = _at_carried_out()
    assert "自然人 4、商业企业 1、科研机构 0、社会公益组织 0、法律服务机构 1、其他 0" in driver.last_text
    assert "accept" in driver.last_choices
    driver.press("accept")
    assert row_values(driver, "carried_out") == [4, 1, 0, 0, 1, 0]


def test_more_results_than_applications_is_explained_at_carried_out() -> None:
    driver = at(
        "t3.carried_out",
        **{t3_key("new", c.key): 0 for c in T3_APPLICANT_COLUMNS},
        **{t3_key("carried_in", c.key): 0 for c in T3_APPLICANT_COLUMNS},
        **{t3_key(r.key, c.key): 0 for r in T3_RESULT_ROWS for c in T3_APPLICANT_COLUMNS},
    )
    driver.answers[t3_key("granted", "natural_person")] = 2
    driver.answers.update(FORM.compute_totals(driver.answers))
    driver.send("0 0 0 0 0 0")
    assert "「自然人」列：本年新收 0 + 上年结转 0 小于办理结果总计 2" in driver.last_text
    assert driver.item == "t3.carried_out"


def test_editing_a_table_three_row_after_carried_out_rechecks_carried_out() -> None:
    driver = filled()
    driver.send("修改 7")
    driver.send("11 2 0 0 1 0")
    assert driver.item == "t3.carried_out"
    assert "表三的勾稽关系需要重新核对「结转下年度继续办理」" in driver.last_text
    assert "自然人 5、商业企业 1" in driver.last_text
    driver.send("确认")
    assert row_values(driver, "carried_out") == [5, 1, 0, 0, 1, 0]
    assert driver.state.mode is Mode.REVIEW


def test_an_edit_that_keeps_the_balance_does_not_recheck() -> None:
    driver = filled()
    driver.send("修改 7")
    driver.send("10 2 0 0 1 0")
    assert driver.state.mode is Mode.REVIEW


# --- proposals ---------------------------------------------------------------------------------
LAST_YEAR: dict[str, Value] = {
    **{
        t3_key("carried_out", c.key): n for c, n in zip(T3_APPLICANT_COLUMNS, [1, 0, 0, 0, 0, 0], strict=True)
    },
    "text.s5": "去年的问题：专栏更新不及时。",
    "text.gov.assessment": "去年考核结果为优秀。",
}


def test_carried_in_is_proposed_from_last_years_carried_out() -> None:
    driver = Driver(FORM, ReportInfo("某某区行政审批局", UnitKind.DEPARTMENT, 2024, previous=LAST_YEAR))
    fill(driver, TABLES_FILL[:7])
    assert driver.item == "t3.carried_in"
    assert "去年报告的「结转下年度继续办理」为：自然人 1、商业企业 0" in driver.last_text
    driver.send("确认")
    assert row_values(driver, "carried_in") == [1, 0, 0, 0, 0, 0]
    assert driver.item == "t3.granted"


def test_without_last_year_carried_in_says_where_to_look() -> None:
    driver = Driver(FORM, DEPARTMENT)
    fill(driver, TABLES_FILL[:7])
    assert "系统中没有去年的报告" in driver.last_text
    driver.send("确认")
    assert "本项没有可采用的建议值" in driver.last_text
    assert driver.item == "t3.carried_in"


def test_a_narrative_takes_several_messages_then_done() -> None:
    driver = at("text.s1.active")
    driver.send("第一段。")
    assert "已记录「（一）主动公开」第 1 段" in driver.last_text
    assert "done" in driver.last_choices
    driver.send("第二段。")
    driver.send("第三段。")
    assert "第 3 段" in driver.last_text
    assert driver.item == "text.s1.active"
    driver.send("完成")
    assert driver.answers["text.s1.active"] == "第一段。\n第二段。\n第三段。"
    assert driver.item == "text.s1.requests"


def test_adopting_the_generated_sentence_uses_the_tables_numbers() -> None:
    driver = Driver(FORM, DEPARTMENT)
    fill(driver, TABLES_FILL)
    driver.go_to("text.s1.requests")
    driver.resume()
    assert "建议文字" in driver.last_text
    driver.press("accept")
    text = driver.answers["text.s1.requests"]
    assert isinstance(text, str)
    assert "新收政府信息公开申请13件，上年结转1件，办结8件，结转下年度继续办理6件" in text
    assert "被申请行政复议2件" in text
    driver.send("另外补充一段。")
    driver.send("完成")
    assert driver.answers["text.s1.requests"] == f"{text}\n另外补充一段。"


def test_keeping_last_years_text() -> None:
    driver = Driver(FORM, ReportInfo("某某区行政审批局", UnitKind.DEPARTMENT, 2024, previous=LAST_YEAR))
    driver.go_to("text.s5")
    driver.resume()
    assert "去年此项内容：\n去年的问题：专栏更新不及时。" in driver.last_text
    assert "last_year" in driver.last_choices
    driver.send("沿用去年")
    driver.send("今年已整改。")
    driver.send("完成")
    assert driver.answers["text.s5"] == "去年的问题：专栏更新不及时。\n今年已整改。"


def test_an_edited_narrative_shows_the_current_text_and_new_text_replaces_it() -> None:
    driver = filled()
    driver.send("修改 41")
    assert "当前内容：\n主动公开的及时性有待提高。" in driver.last_text
    driver.send("新的问题描述。")
    driver.send("完成")
    assert driver.answers["text.s5"] == "新的问题描述。"
    assert driver.state.mode is Mode.REVIEW


def test_government_units_get_the_three_extra_questions() -> None:
    gov = Driver(FORM, GOVERNMENT)
    gov.go_to("text.s1.oversight")
    gov.send("监督保障情况。")
    gov.send("完成")
    assert gov.item == "text.gov.assessment"
    assert "工作考核结果情况" in gov.last_text
    for expected in ("text.gov.social_review", "text.gov.accountability", "text.s5"):
        gov.send("无")
        assert gov.item == expected
    assert "已记录：本年度无责任追究情况。" in gov.last_text
    assert gov.answers["text.gov.assessment"] == "本年度无工作考核结果。"
    assert gov.answers["text.gov.accountability"] == "本年度无责任追究情况。"


@pytest.mark.parametrize("raw", ["3", "１２", "。。。", "-- !"])
def test_a_narrative_that_is_only_a_number_or_punctuation_asks_to_confirm_or_rewrite(raw: str) -> None:
    gov = Driver(FORM, GOVERNMENT)
    gov.go_to("text.gov.social_review")
    gov.resume()
    result = gov.send(raw)
    assert result.writes == ()
    assert f"「{raw.strip()}」只有数字或标点" in gov.last_text
    assert "回复「确认保存」" in gov.last_text
    assert "没有相关情况可回复「无」" in gov.last_text
    gov.send("本年度开展社会评议1次。")
    assert gov.answers["text.gov.social_review"] == "本年度开展社会评议1次。"


def test_a_bare_number_confirmed_is_stored_as_typed() -> None:
    driver = at("text.s5")
    driver.send("3")
    stored = json.loads(json.dumps(driver.state.to_json()))
    driver.state = DialogState.from_json(stored)
    driver.send("确认保存")
    assert driver.answers["text.s5"] == "3"
    assert "第 1 段" in driver.last_text
    assert "已记录「五、存在的主要问题及改进情况」" in driver.last_text


def test_none_at_a_government_item_after_text_replaces_it_once() -> None:
    gov = Driver(FORM, GOVERNMENT)
    gov.go_to("text.gov.assessment")
    gov.send("考核优秀。")
    gov.send("无")
    assert gov.answers["text.gov.assessment"] == "本年度无工作考核结果。"
    assert gov.item == "text.gov.social_review"


def test_skipped_government_items_do_not_block_and_are_a_warning_at_review() -> None:
    gov = Driver(FORM, GOVERNMENT, rules=ALL_RULES)
    fill(gov, (*GOVERNMENT_FILL[: -len(S5_S6_FILL) - 3], "跳过", "跳过", "跳过", *S5_S6_FILL))
    assert gov.state.mode is Mode.REVIEW
    assert "尚未填写" not in gov.last_text
    assert "! 人民政府报告考核、评议和责任追究情况" in gov.last_text
    assert "回复「提交」提交报告" in gov.last_text
    assert not any(k.startswith("text.gov.") for k in gov.answers)


def test_departments_do_not_get_the_government_questions() -> None:
    dept = at("text.s1.oversight")
    dept.send("监督保障情况。")
    dept.send("完成")
    assert dept.item == "text.s5"
    driver = filled()
    assert not any(k.startswith("text.gov.") for k in driver.answers)


def test_a_government_report_without_the_extra_answers_is_submitted_after_confirming_the_warning() -> None:
    gov = filled(GOVERNMENT, rules=ALL_RULES)
    del gov.answers["text.gov.accountability"]
    result = gov.send("提交")
    assert result.events == ()
    assert gov.state.mode is Mode.CONFIRM
    assert "! 人民政府的年报须在监督保障中报告「责任追究结果情况」" in gov.last_text
    result = gov.send("确认提交")
    assert result.events == (Event.SUBMITTED,)
    assert "FMT-GOV-EXTRA" in [c.rule_id for c in result.confirmations]


# --- review and submission ----------------------------------------------------------------------
def _warn_on_many_licences(facts: ReportFacts) -> Iterable[Hit]:
    licences = facts.count("t2.licensing.decisions")
    if licences is not None and licences > 100:
        yield hit(licences=licences)


WARNING_RULES = (
    *CORE_RULES,
    Rule(
        "TEST-WARN",
        Severity.WARNING,
        "测试提示",
        _warn_on_many_licences,
        {"": "行政许可 {licences} 件，明显多于往年，请确认。"},
    ),
)


def test_a_clean_report_is_submitted() -> None:
    driver = filled()
    assert "所有检查均已通过" in driver.last_text
    result = driver.press("submit")
    assert result.events == (Event.SUBMITTED,)
    assert driver.state.mode is Mode.SUBMITTED
    assert "报告已提交" in driver.last_text


def test_submit_with_errors_is_blocked() -> None:
    previous: dict[str, Value] = {t3_key("carried_out", c.key): 2 for c in T3_APPLICANT_COLUMNS}
    driver = filled(ReportInfo("某某区行政审批局", UnitKind.DEPARTMENT, 2024, previous=previous))
    assert "需要改正（不改正无法提交）" in driver.last_text
    result = driver.send("提交")
    assert result.events == ()
    assert driver.state.mode is Mode.REVIEW
    assert "还不能提交" in driver.last_text
    assert "本年「上年结转」为 1，但去年报告的「结转下年度继续办理」为 2" in driver.last_text


def test_submit_with_warnings_needs_confirm_submit() -> None:
    driver = filled(rules=WARNING_RULES)
    assert "行政许可 128 件，明显多于往年，请确认。" in driver.last_text
    result = driver.send("提交")
    assert result.events == ()
    assert driver.state.mode is Mode.CONFIRM
    assert "回复「确认提交」" in driver.last_text
    assert "confirm_submit" in driver.last_choices
    result = driver.press("confirm_submit")
    assert result.events == (Event.SUBMITTED,)
    assert [(c.rule_id, c.explanation) for c in result.confirmations] == [("TEST-WARN", "")]
    assert "行政许可 128 件" in result.confirmations[0].message
    assert not any(key.startswith("review.") for key in driver.answers)  # not stored as answers


def test_submit_with_warnings_accepts_an_explanation() -> None:
    driver = filled(rules=WARNING_RULES)
    driver.send("提交")
    result = driver.send("说明：本年新增审批事项，数据已核实。")
    assert result.events == (Event.SUBMITTED,)
    assert [c.explanation for c in result.confirmations] == ["本年新增审批事项，数据已核实。"]


def test_a_command_word_at_the_warning_step_is_not_taken_as_an_explanation() -> None:
    driver = filled(rules=WARNING_RULES)
    driver.send("提交")
    result = driver.send("跳过")
    assert result.events == ()
    assert driver.state.mode is Mode.CONFIRM
    assert result.confirmations == ()
    result = driver.send("确认提交")
    assert result.events == (Event.SUBMITTED,)
    assert [c.explanation for c in result.confirmations] == [""]


@pytest.mark.parametrize("reply", ["２ ０ ０ ０ ０ ０ ２", "确认", "好的", "说明：", "本年新增审批事项"])
def test_at_the_warning_step_only_confirm_submit_or_an_explanation_submits(reply: str) -> None:
    driver = filled(rules=WARNING_RULES)
    driver.send("提交")
    result = driver.send(reply)
    assert result.events == ()
    assert result.writes == ()
    assert driver.state.mode is Mode.CONFIRM
    assert "尚未提交。请回复「确认提交」" in driver.last_text
    assert "以「说明：」开头" in driver.last_text
    assert "! 行政许可 128 件，明显多于往年，请确认。" in driver.last_text


def test_return_from_the_warning_step_goes_back_to_review() -> None:
    driver = filled(rules=WARNING_RULES)
    driver.send("提交")
    driver.press("return")
    assert driver.state.mode is Mode.REVIEW


def test_confirm_submit_without_warnings_pending_does_nothing() -> None:
    driver = filled()
    result = driver.send("确认提交")
    assert result.events == ()
    assert "现在没有需要确认的内容" in driver.last_text


def test_after_submission_edits_are_refused_but_preview_works() -> None:
    driver = filled()
    driver.send("提交")
    answers = dict(driver.answers)
    for text in ("修改 3", "5", "上一步", "目录", "无", "提交"):
        result = driver.send(text)
        assert result.writes == (), text
        assert driver.state.mode is Mode.SUBMITTED
        assert result.events == ()
    assert "报告已提交，不能再修改" in driver.last_text
    assert driver.answers == answers
    driver.send("预览")
    assert "预览（已填 43/43 项）" in driver.last_text


def _long_overview_without_five_and_six() -> Driver:
    driver = filled(rules=ALL_RULES)
    driver.answers["text.s1.active"] = "全年主动公开政府信息。" * 120
    for key in ("text.s5", "s6.processing_fee", "text.s6"):
        del driver.answers[key]
    driver.resume()
    return driver


def _marks(text: str) -> dict[str, str]:
    """Rule title → its mark in the review's checklist."""
    lines = text.split("检查清单", 1)[1].splitlines()[1:]
    return {
        line[2:].split("（待第")[0]: line[0] for line in lines if line[:2] in {"✓ ", "✗ ", "! ", "i ", "○ "}
    }


def test_review_shows_rules_waiting_for_unfilled_items_not_passed() -> None:
    driver = _long_overview_without_five_and_six()
    marks = _marks(driver.last_text)
    s5, fee, s6 = (DEPARTMENT_ITEMS.index(k) + 1 for k in ("text.s5", "s6.processing_fee", "text.s6"))
    assert marks["五写明问题和改进措施"] == "○"
    assert marks["六写明信息处理费收取情况"] == "○"
    assert marks["数字齐全且为非负数"] == "○"
    assert f"○ 五写明问题和改进措施（待第 {s5} 项填写后检查）" in driver.last_text
    assert f"○ 数字齐全且为非负数（待第 {fee}、{s6} 项填写后检查）" in driver.last_text


def test_review_checklist_agrees_with_the_check_command() -> None:
    driver = _long_overview_without_five_and_six()
    s5, fee, s6 = (DEPARTMENT_ITEMS.index(k) + 1 for k in ("text.s5", "s6.processing_fee", "text.s6"))
    for text in (f"修改 {s5}", *S5_S6_FILL[:2], f"修改 {fee}", "0", f"修改 {s6}", "采用", "完成"):
        driver.send(text)
    assert driver.state.mode is Mode.REVIEW
    facts = ReportFacts(FORM, UnitKind.DEPARTMENT, 2024, driver.answers, None, DEPARTMENT.agency)
    by_rule: dict[str, set[Severity]] = {}
    for finding in run_rules(facts, ALL_RULES):
        by_rule.setdefault(finding.rule_id, set()).add(finding.severity)
    assert by_rule["FMT-LEN"] == {Severity.INFO}
    marks = _marks(driver.last_text)
    for rule in ALL_RULES:
        found = by_rule.get(rule.id, set())
        expected = next((m for sev, m in _MARKS if sev in found), "✓")
        assert marks[rule.title] == expected, rule.id
    assert "供参考（不影响提交）：\ni 一、总体情况共约" in driver.last_text


_MARKS = ((Severity.ERROR, "✗"), (Severity.WARNING, "!"), (Severity.INFO, "i"))


def test_a_blocked_submission_names_what_to_do_and_does_not_ask_for_submit_again() -> None:
    previous: dict[str, Value] = {t3_key("carried_out", c.key): 2 for c in T3_APPLICANT_COLUMNS}
    driver = filled(ReportInfo("某某区行政审批局", UnitKind.DEPARTMENT, 2024, previous=previous))
    del driver.answers["text.s5"]
    result = driver.send("提交")
    assert result.events == ()
    text = driver.last_text
    s5 = DEPARTMENT_ITEMS.index("text.s5") + 1
    carried_in = DEPARTMENT_ITEMS.index("t3.carried_in") + 1
    assert f"· {s5}.五、存在的主要问题及改进情况 —— 回复「修改 {s5}」补填" in text
    assert f"去年报告的「结转下年度继续办理」为 2。 —— 回复「修改 {carried_in}」改正" in text
    assert "回复「提交」" not in text
    assert not text.rstrip().endswith("提交")
    assert "submit" not in driver.last_choices
    driver.send(f"修改 {s5}")
    assert driver.item == "text.s5"


def test_back_from_review_goes_to_the_last_item() -> None:
    driver = filled()
    driver.send("上一步")
    assert driver.item == "text.s6"


# --- buttons ---------------------------------------------------------------------------------------
def test_a_press_with_a_stale_token_is_refused() -> None:
    driver = Driver(FORM, DEPARTMENT)
    driver.resume()
    old_token = driver.last.replies[-1].token
    assert old_token == "t2.regulations"
    driver.send("0 0 0")
    result = driver.press("zero_row", token=old_token)
    assert "这个按钮已过期" in driver.last_text
    assert result.writes == ()
    assert driver.item == "t2.normative_documents"
    assert "t2.normative_documents.issued" not in driver.answers


def test_a_stale_menu_press_still_works() -> None:
    driver = at("t2.licensing")
    driver.press("preview", token="t2.regulations")
    assert "预览" in driver.last_text


def test_an_answer_typed_at_an_item_another_window_left_is_refused() -> None:
    driver = at("t2.licensing")
    shown_here = driver.state.token
    driver.send("7")  # the other window answers 行政许可 and moves the shared position on
    assert driver.item == "t2.penalty"
    result = driver.send("5", token=shown_here)
    assert result.writes == ()
    assert driver.answers["t2.licensing.decisions"] == 7
    assert "t2.penalty.decisions" not in driver.answers
    assert "报告已在别处（另一个窗口或设备）修改" in driver.last_text
    assert "行政处罚：本年处理决定数量" in driver.last_text  # the current question, asked again
    driver.send("5", token=driver.state.token)
    assert driver.answers["t2.penalty.decisions"] == 5


def test_an_answer_with_the_token_it_was_shown_names_the_item_saved() -> None:
    driver = at("t2.licensing")
    driver.send("7", token=driver.state.token)
    assert "已保存「第二十条第（五）项 — 行政许可：本年处理决定数量」：7。" in driver.last_text


def test_a_cell_typed_for_a_cell_another_window_filled_is_refused() -> None:
    driver = at("t3.new")
    first_cell = driver.state.token
    driver.send("12")
    assert "已保存「一、本年新收政府信息公开申请数量」自然人：12。" in driver.last_text
    result = driver.send("3", token=first_cell)
    assert result.writes == ()
    assert row_values(driver, "new")[:2] == [12, None]
    assert "报告已在别处（另一个窗口或设备）修改" in driver.last_text


def test_a_menu_word_typed_at_an_older_position_still_works() -> None:
    driver = at("t2.penalty")
    driver.send("预览", token="t2.regulations")
    assert "预览（已填" in driver.last_text


def test_every_reply_carries_the_token_of_its_state() -> None:
    driver = Driver(FORM, DEPARTMENT)
    fill(driver)
    for result in driver.steps:
        assert result.replies
        assert result.replies[-1].token == result.state.token


# --- state ---------------------------------------------------------------------------------------
def test_state_round_trips_through_json_at_every_step_of_a_whole_fill() -> None:
    driver = Driver(FORM, GOVERNMENT, rules=WARNING_RULES)
    driver.resume()
    for text in (*GOVERNMENT_FILL, "修改 7", "11 2 0 0 1 0", "确认", "目录", "返回", "提交", "确认提交"):
        driver.send(text)
        data = json.loads(json.dumps(driver.state.to_json(), ensure_ascii=False))
        restored = DialogState.from_json(data)
        assert restored == driver.state
        driver.state = restored
    assert driver.state.mode is Mode.SUBMITTED


def test_a_stored_position_that_no_longer_fits_is_recovered() -> None:
    driver = Driver(FORM, DEPARTMENT, state=DialogState(item="text.gov.assessment"))
    result = driver.send("无")
    assert result.writes == ()
    assert driver.item == "t2.regulations"
    assert "第 1/43 项" in driver.last_text
    driver = Driver(FORM, DEPARTMENT, state=DialogState(item="t4.review", cell=5))
    result = driver.send("1")
    assert result.writes == ()
    assert (driver.item, driver.state.cell) == ("t4.review", 0)
    driver.send("1 0 0 0")
    assert driver.answers["t4.review.total"] == 1


def test_resume_shows_the_current_question_again() -> None:
    driver = at("t3.new")
    driver.send("4")
    result = driver.resume()
    assert result.writes == ()
    assert "请输入「商业企业」（本行第 2/6 格）" in driver.last_text


def test_help_lists_the_commands_without_moving() -> None:
    driver = at("t3.new")
    driver.send("帮助")
    assert "上一步｜跳过｜目录｜预览｜修改 编号｜提交｜帮助" in driver.last_text
    assert driver.item == "t3.new"


def _transcript_in_a_new_process(hash_seed: str) -> str:
    """Whole dialogs run by tests/helpers/engine_transcript.py in its own interpreter."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.helpers.engine_transcript"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO)},
        cwd=REPO,
        timeout=PROCESS_LIMIT,
        check=True,
    )
    return result.stdout


def test_the_engine_gives_the_same_turns_whatever_the_hash_seed() -> None:
    # Within one process set and dict-of-set orders repeat, so only separate interpreters with
    # different string hashes can show a reply, write or state that depends on them.
    first, *others = (_transcript_in_a_new_process(seed) for seed in ("0", "1", "2", "3"))
    assert first.count(msg.SUBMIT_DONE) == 2  # both complete reports were submitted
    assert "检查清单" in first
    for other in others:
        assert other == first


# --- property: nothing a person types or presses makes step raise ----------------------------
_WORDS = [
    *(c.value for c in Command),
    "上一步", "返回", "跳过", "目录", "目录 3", "预览", "修改 3", "修改 99", "修改 不予公开", "修改",
    "提交", "确认提交", "确认", "采用", "沿用去年", "完成", "无", "帮助", "进度",
    "本年未收到政府信息公开申请", "无行政复议、行政诉讼", "说明：已核实",
]  # fmt: skip
_NUMBERS = ["0", "1", "7", "12.5", "-1", "1 2 3", "1 0 0 1", "0 0 0 0 0 0", "5 1 0 0 1 0", "三十二", "1,000"]
_ALL_ITEMS = [i.id for i in FORM.items]
_states = st.builds(
    DialogState,
    item=st.one_of(st.none(), st.sampled_from(_ALL_ITEMS), st.text(max_size=8)),
    mode=st.sampled_from(list(Mode)),
    cell=st.integers(min_value=-2, max_value=8),
    return_to=st.one_of(st.none(), st.just("@review"), st.sampled_from(_ALL_ITEMS), st.text(max_size=5)),
    narrative_open=st.booleans(),
    skipped=st.lists(st.sampled_from(_ALL_ITEMS), max_size=3).map(tuple),
)
_inputs = st.tuples(
    st.sampled_from(["send", "press", "stale", "resume"]),
    st.one_of(st.sampled_from(_WORDS), st.sampled_from(_NUMBERS), st.text(max_size=30)),
)
_previous = st.one_of(st.none(), st.just(LAST_YEAR))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    state=_states,
    unit=st.sampled_from(list(UnitKind)),
    previous=_previous,
    prefill=st.integers(min_value=0, max_value=len(TABLES_FILL)),
    inputs=st.lists(_inputs, max_size=25),
)
def test_step_never_raises_and_the_state_stays_json(
    state: DialogState,
    unit: UnitKind,
    previous: dict[str, Value] | None,
    prefill: int,
    inputs: list[tuple[str, str]],
) -> None:
    driver = Driver(FORM, ReportInfo("某某单位", unit, 2024, previous=previous))
    fill(driver, TABLES_FILL[:prefill])
    driver.state = state
    for kind, text in inputs:
        if kind == "send":
            driver.send(text)
        elif kind == "press":
            driver.press(text)
        elif kind == "stale":
            driver.press(text, token="t2.regulations")
        else:
            driver.resume()
        data = json.loads(json.dumps(driver.state.to_json()))
        assert DialogState.from_json(data) == driver.state
        assert driver.last.replies
        assert driver.state.item is None or FORM.has_item(driver.state.item)


@pytest.mark.parametrize("raw", ["/preview", "/toc", "/目录", "预览。", "ｐｒｅｖｉｅｗ"])
def test_menu_commands_are_read_with_or_without_a_slash(raw: str) -> None:
    driver = at("t2.licensing")
    driver.send(raw)
    assert "不是数字" not in driver.last_text
    assert driver.state.mode in (Mode.ASK, Mode.TOC)
    assert driver.answers == {}


def test_key_figures_sum_both_litigation_groups_and_leave_unanswered_empty() -> None:
    from dialogs.summary import key_figures

    figures = key_figures(
        FORM,
        {"t3.new.total": 5, "t4.litigation_direct.total": 2, "t4.litigation_after_review.total": 3},
    )
    assert (figures.new, figures.litigation, figures.processed, figures.review) == (5, 5, None, None)
    assert key_figures(FORM, {}).litigation is None
    only_direct = key_figures(FORM, {"t4.litigation_direct.total": 0, "t4.review.total": 4})
    assert (only_direct.litigation, only_direct.review) == (0, 4)
    every = key_figures(
        FORM,
        {"t3.carried_in.total": 1, "t3.total_processed.total": 6, "t3.carried_out.total": 2},
    )
    assert (every.carried_in, every.processed, every.carried_out) == (1, 6, 2)
