"""Reading numbers as people type them: every accepted form, every rejection and its message."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.form import Field, ValueKind
from dialogs.parsing import (
    AGENCY_NAME_MAX,
    Rejected,
    parse_agency_name,
    parse_narrative,
    parse_report_year,
    parse_value,
    parse_values,
    parse_whole_number,
)

COUNT = Field("t2.licensing.decisions", "行政许可：本年处理决定数量", ValueKind.COUNT, "件")
WAN_YUAN = Field("t2.fees.amount", "行政事业性收费：本年收费金额（单位：万元）", ValueKind.AMOUNT, "万元")
YUAN = Field("s6.processing_fee", "信息处理费（元）", ValueKind.AMOUNT, "元")
ROW = tuple(
    Field(f"t3.new.{key}", f"一、本年新收政府信息公开申请数量：{label}", ValueKind.COUNT, "件")
    for key, label in (
        ("natural_person", "自然人"),
        ("commercial_enterprise", "商业企业"),
        ("research_institution", "科研机构"),
        ("social_welfare_org", "社会公益组织"),
        ("legal_service_org", "法律服务机构"),
        ("other_org", "其他"),
    )
)


def _rejected(result: object) -> str:
    assert isinstance(result, Rejected), f"expected a rejection, got {result!r}"
    return result.message


# --- accepted ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        ("１２", 12),  # full-width digits
        ("１２３４", 1234),
        ("  7  ", 7),
        ("\u30007\u3000", 7),  # ideographic spaces around
        ("+5", 5),
        ("０", 0),
    ],
)
def test_fullwidth_and_halfwidth_digits_are_accepted(raw: str, expected: int) -> None:
    assert parse_value(raw, COUNT) == expected


@pytest.mark.parametrize("raw", ["0", "〇", "零", "无", "没有", "—", "——", "-", "--"])
def test_zero_words_and_dashes_are_read_as_zero(raw: str) -> None:
    assert parse_value(raw, COUNT) == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("三十二", 32),
        ("两百", 200),
        ("十", 10),
        ("二十五", 25),
        ("一千零五", 1005),
        ("一百二十三", 123),
        ("两", 2),
        ("叁拾", 30),
    ],
)
def test_chinese_numerals_are_accepted(raw: str, expected: int) -> None:
    assert parse_value(raw, COUNT) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "1 2 3 4 5 6",
        "1,2,3,4,5,6",
        "1、2、3、4、5、6",
        "1，2，3，4，5，6",
        "1；2；3；4；5；6",
        "1;2;3;4;5;6",
        "1\t2\t3\t4\t5\t6",
        "1\u30002\u30003\u30004\u30005\u30006",
        "1 , 2 ,3、 4；5\t6",
        "１ ２ ３ ４ ５ ６",
        "一 两 三 四 五 六",
    ],
)
def test_row_separators_are_accepted(raw: str) -> None:
    assert parse_values(raw, ROW) == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("32件", 32), ("5条", 5), ("7个", 7), ("4项", 4), ("三十二件", 32), ("２件", 2)],
)
def test_count_units_are_accepted(raw: str, expected: int) -> None:
    assert parse_value(raw, COUNT) == expected


def test_units_on_every_number_of_a_row_are_accepted() -> None:
    assert parse_values("12件 3件 0 0 1件 0", ROW) == [12, 3, 0, 0, 1, 0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.5", Decimal("12.5")),
        ("12.5万元", Decimal("12.5")),
        ("3000元", Decimal("0.3")),  # yuan are converted
        ("125元", Decimal("0.0125")),
        ("0.5万", Decimal("0.5")),
        ("二十五万", Decimal("25")),
        ("１２．５", Decimal("12.5")),
        ("0.1", Decimal("0.1")),  # fees: up to six decimal places are kept
        ("0.12", Decimal("0.12")),
        ("1.123", Decimal("1.123")),
        ("0.1234", Decimal("0.1234")),
        ("0.12345", Decimal("0.12345")),
        ("0.123456", Decimal("0.123456")),
        ("0.100000", Decimal("0.1")),
    ],
)
def test_amounts_in_wan_yuan_convert_yuan_and_keep_six_decimal_places(raw: str, expected: Decimal) -> None:
    result = parse_value(raw, WAN_YUAN)
    assert isinstance(result, Decimal)
    assert result == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3940", Decimal(3940)),
        ("3940元", Decimal(3940)),
        ("0.5万元", Decimal(5000)),
        ("1.2万", Decimal(12000)),
    ],
)
def test_amounts_in_yuan_convert_wan_yuan(raw: str, expected: Decimal) -> None:
    assert parse_value(raw, YUAN) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("9,487", 9487), ("9，487", 9487), ("1,234,567", 1234567), ("12,000件", 12000)],
)
def test_thousands_separators_in_a_single_number_are_accepted(raw: str, expected: int) -> None:
    assert parse_value(raw, COUNT) == expected


def test_thousands_separators_inside_a_row_are_accepted() -> None:
    assert parse_values("1,200 2 3 4 5 6", ROW) == [1200, 2, 3, 4, 5, 6]


def test_a_comma_between_two_numbers_of_a_row_separates_them() -> None:
    two = ROW[:2]
    assert parse_values("1,234", two) == [1, 234]


def test_a_whole_amount_has_no_exponent() -> None:
    result = parse_value("100", WAN_YUAN)
    assert isinstance(result, Decimal)
    assert f"{result:f}" == "100"


def test_counts_are_int_and_amounts_decimal() -> None:
    assert type(parse_value("3", COUNT)) is int
    assert type(parse_value("3", WAN_YUAN)) is Decimal
    assert type(parse_value("无", WAN_YUAN)) is Decimal


def test_a_narrative_is_kept_as_typed_only_trimmed() -> None:
    assert parse_narrative("  2024年，我局主动公开信息120条。\n  ") == "2024年，我局主动公开信息120条。"


# --- rejected -------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["-3", "－3", "负3", "-0.5"])
def test_negative_numbers_are_rejected_with_the_token_quoted(raw: str) -> None:
    message = _rejected(parse_value(raw, COUNT))
    assert "负数" in message
    assert "不能为负" in message
    assert "例如：3" in message


def test_a_negative_number_inside_a_row_is_rejected_naming_that_number() -> None:
    message = _rejected(parse_values("1 2 -3 4 5 6", ROW))
    assert "「-3」是负数" in message


@pytest.mark.parametrize("raw", ["abc", "3a", "x", "1e3", "NaN", "Infinity", "0x10", "1_000", "3.", "百"])
def test_letters_and_other_non_numbers_are_rejected(raw: str) -> None:
    message = _rejected(parse_value(raw, COUNT))
    assert f"「{raw}」不是数字" in message
    assert "例如：3" in message
    assert "「无」" in message


def test_a_non_number_in_an_amount_shows_an_amount_example() -> None:
    message = _rejected(parse_value("abc", WAN_YUAN))
    assert "「abc」不是数字" in message
    assert "例如：12.5" in message


@pytest.mark.parametrize(("raw", "got"), [("1 2 3", 3), ("1 2 3 4 5 6 7", 7), ("5", 1)])
def test_wrong_count_of_numbers_in_a_row_is_rejected_with_expected_count(raw: str, got: int) -> None:
    message = _rejected(parse_values(raw, ROW))
    assert "需要 6 个数" in message
    assert f"您输入了 {got} 个" in message
    assert "自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他" in message


def test_two_numbers_for_one_field_are_rejected() -> None:
    message = _rejected(parse_value("1 2", COUNT))
    assert "只需要 1 个数" in message
    assert "您输入了 2 个" in message
    assert "例如：3" in message


@pytest.mark.parametrize("raw", ["1.5", "2.0001", "三点五", "0.5万元"])
def test_a_decimal_where_a_count_is_expected_is_rejected(raw: str) -> None:
    message = _rejected(parse_value(raw, COUNT))
    assert "带有小数" in message
    assert "整数" in message
    assert "例如：3" in message


def test_a_decimal_count_is_quoted_in_the_message() -> None:
    assert "「2.5」带有小数" in _rejected(parse_values("1 2.5 3 4 5 6", ROW))


@pytest.mark.parametrize("raw", ["0.1234567", "12.00000001"])
def test_too_many_decimals_are_rejected(raw: str) -> None:
    message = _rejected(parse_value(raw, WAN_YUAN))
    assert f"「{raw}」小数位过多" in message
    assert "最多保留 6 位小数" in message
    assert "例如：12.35" in message


@pytest.mark.parametrize("raw", ["", "   ", "\t", "\u3000"])
def test_empty_numbers_are_rejected_saying_how_many_are_needed(raw: str) -> None:
    assert "需要 6 个数" in _rejected(parse_values(raw, ROW))
    assert "需要 1 个数" in _rejected(parse_value(raw, COUNT))


@pytest.mark.parametrize("raw", ["", "   ", "\n\n", "\t"])
def test_an_empty_narrative_is_rejected(raw: str) -> None:
    message = _rejected(parse_narrative(raw))
    assert "内容为空" in message
    assert "「跳过」" in message


def test_a_huge_count_is_rejected() -> None:
    assert "数值过大" in _rejected(parse_value("99999999999", COUNT))


# --- property: nothing raises -----------------------------------------------------------------
_FIELDS = {
    "count": COUNT,
    "amount_wan_yuan": WAN_YUAN,
    "amount_yuan": YUAN,
}
_NUMBERISH = st.text(
    alphabet=st.sampled_from(list("0123456789０１２３.．,，、；; \t-—负+万元件条个零〇一二两三十百千点e")),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(
    raw=st.one_of(st.text(max_size=40), _NUMBERISH),
    kind=st.sampled_from(sorted(_FIELDS)),
    arity=st.integers(min_value=1, max_value=6),
)
def test_no_input_string_makes_parsing_raise(raw: str, kind: str, arity: int) -> None:
    fields = (_FIELDS[kind],) * arity
    many = parse_values(raw, fields)
    one = parse_value(raw, _FIELDS[kind])
    for result in (many, one):
        assert isinstance(result, Rejected | list | int | Decimal)
    if not isinstance(many, Rejected):
        assert len(many) == arity
        for value in many:
            assert value >= 0
            if kind == "count":
                assert type(value) is int
            else:
                assert type(value) is Decimal


# --- invisible characters, the fee prompt's own words, agency names, years (issue 16) --------------
@pytest.mark.parametrize("raw", ["2\u200b", "\ufeff2", "2\u200d", "\u202e2", "\x1b[31m2\x1b[0m", "2\u00ad"])
def test_invisible_characters_and_escapes_around_a_number_are_ignored(raw: str) -> None:
    assert parse_value(raw, COUNT) == 2


@pytest.mark.parametrize("raw", ["未收取", "没有收取", "免收"])
def test_the_fee_prompt_s_own_words_for_no_fee_are_read_as_zero(raw: str) -> None:
    assert parse_value(raw, YUAN) == Decimal(0)


def test_a_narrative_keeps_no_escape_sequence_bidi_control_or_zero_width_space() -> None:
    raw = "本机关\x1b[31m严格\x1b[0m落实\u202e条例\u200b要求\x07。"
    assert parse_narrative(raw) == "本机关严格落实条例要求。"


def test_an_agency_name_is_trimmed_and_cleaned_of_invisible_characters() -> None:
    assert parse_agency_name("  某某区\u200b行政审批局\ufeff ") == "某某区行政审批局"


@pytest.mark.parametrize("length", [AGENCY_NAME_MAX + 1, 244, 5000])
def test_an_agency_name_over_the_limit_is_refused_in_chinese(length: int) -> None:
    refused = parse_agency_name("局" * length)
    assert isinstance(refused, Rejected)
    assert f"{length} 个字" in refused.message
    assert f"{AGENCY_NAME_MAX} 个字" in refused.message


def test_an_agency_name_of_the_limit_is_accepted() -> None:
    assert parse_agency_name("局" * AGENCY_NAME_MAX) == "局" * AGENCY_NAME_MAX


@pytest.mark.parametrize("raw", ["某某区\n行政审批局", "某某区\x1b[2J行政审批局", "某局\x07", "  ", "\u200b"])
def test_an_agency_name_with_line_breaks_or_controls_or_nothing_visible_is_refused(raw: str) -> None:
    refused = parse_agency_name(raw)
    assert isinstance(refused, Rejected)
    assert "单位" in refused.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2008", 2008), ("2025年", 2025), ("２０２４", 2024), ("", 2025), ("2026\u200b", 2026)],
)
def test_report_years_from_2008_to_the_current_year_are_accepted(raw: str, expected: int) -> None:
    assert parse_report_year(raw, default=2025, current=2026) == expected


@pytest.mark.parametrize("raw", ["1900", "2007", "2027", "99999", "25", "明年"])
def test_report_years_outside_2008_to_the_current_year_are_refused(raw: str) -> None:
    refused = parse_report_year(raw, default=2025, current=2026)
    assert isinstance(refused, Rejected)
    assert "2008 至 2026" in refused.message


@pytest.mark.parametrize("raw", ["²⁰²⁴", "🄆", "9" * 20, "-1", "1.5", "", "2024年"])
def test_ids_in_commands_are_decimal_digits_within_the_database_range(raw: str) -> None:
    # `str.isdigit` is true for "²⁰²⁴" and "🄆", on which `int` fails; 20 nines overflow a BIGINT
    assert parse_whole_number(raw) is None


def test_an_id_in_a_command_is_read_up_to_its_limit() -> None:
    assert parse_whole_number("2024") == 2024
    assert parse_whole_number("２０２４") == 2024  # full-width, as an input method types it
    assert parse_whole_number("3", limit=3) == 3
    assert parse_whole_number("4", limit=3) is None
