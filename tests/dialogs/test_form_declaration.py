"""The 2021 form declaration is checked the way python-statemachine checks a definition."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from dialogs.form import SectionRole, UnitKind, ValueKind
from dialogs.report_2021 import (
    T3_APPLICANT_COLUMNS,
    T3_COLUMNS,
    T3_RESULTS_PART,
    T3_ROWS,
    T4_GROUPS,
    T4_RESULTS,
    form_2021,
)
from tests.helpers.rule_reports import OFFICIAL_HEADINGS

FORM = form_2021()
ASKED = [f for item in FORM.items for f in item.fields]
ALL_KEYS = [f.key for f in ASKED] + [f.key for f in FORM.computed]
KEY_SHAPE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
HALF_WIDTH_PUNCTUATION = re.compile(r"[(),;:?!]")


def test_keys_are_unique() -> None:
    duplicates = [key for key, n in Counter(ALL_KEYS).items() if n > 1]
    assert duplicates == []


def test_item_ids_are_unique() -> None:
    ids = [item.id for item in FORM.items]
    assert len(ids) == len(set(ids))


def test_keys_are_dotted_english_paths() -> None:
    bad = [key for key in ALL_KEYS if not KEY_SHAPE.match(key)]
    assert bad == []


def test_every_computed_field_sums_existing_keys() -> None:
    for field in FORM.computed:
        assert field.is_computed
        assert field.kind is ValueKind.COUNT
        missing = [k for k in field.sums if not FORM.has_key(k)]
        assert missing == [], field.key


def test_every_computed_field_comes_after_its_parts() -> None:
    """Declaration order is dependency order, so totals of totals need no second pass."""
    asked = {f.key for f in ASKED}
    defined: set[str] = set()
    for field in FORM.computed:
        for part in field.sums:
            assert part in asked or part in defined, f"{field.key} sums {part} before it is computed"
            assert part != field.key
        defined.add(field.key)


def test_computed_fields_have_no_cycles() -> None:
    by_key = {f.key: f for f in FORM.computed}

    def visit(key: str, path: tuple[str, ...]) -> None:
        assert key not in path, " → ".join((*path, key))
        field = by_key.get(key)
        for part in field.sums if field else ():
            visit(part, (*path, key))

    for key in by_key:
        visit(key, ())


def test_no_asked_field_is_also_computed() -> None:
    computed = {f.key for f in FORM.computed}
    assert not [f.key for f in ASKED if f.is_computed or f.key in computed]


def test_every_asked_field_belongs_to_exactly_one_item() -> None:
    owners = Counter(f.key for item in FORM.items for f in item.fields)
    assert all(n == 1 for n in owners.values())


@pytest.mark.parametrize("unit", list(UnitKind))
def test_every_asked_field_for_a_unit_kind_is_reachable(unit: UnitKind) -> None:
    reachable = {f.key for item in FORM.items_for(unit) for f in item.fields}
    expected = {f.key for item in FORM.items if item.applies_to(unit) for f in item.fields}
    assert reachable == expected
    for item in FORM.items_for(unit):
        assert FORM.item(item.id) is item
        assert FORM.section(item.section).id == item.section


def test_every_field_is_reachable_for_some_unit_kind() -> None:
    reachable = {f.key for unit in UnitKind for item in FORM.items_for(unit) for f in item.fields}
    assert reachable == {f.key for f in ASKED}


def test_an_item_asks_fields_of_one_kind() -> None:
    for item in FORM.items:
        assert item.fields, item.id
        assert len({f.kind for f in item.fields}) == 1, item.id
        if item.is_narrative:
            assert len(item.fields) == 1, item.id


def test_table_three_has_25_rows_of_7_columns() -> None:
    assert len(T3_ROWS) == 25
    assert len(T3_COLUMNS) == 7
    assert [c.label for c in T3_COLUMNS] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    t3_keys = [k for k in ALL_KEYS if k.startswith("t3.")]
    assert len(t3_keys) == 25 * 7
    asked = [f.key for f in ASKED if f.key.startswith("t3.")]
    assert len(asked) == 24 * 6  # （七）总计 and the 总计 column are computed


def test_table_three_grand_total_sums_the_21_leaf_rows() -> None:
    grand = FORM.field("t3.total_processed.natural_person")
    assert len(grand.sums) == 21
    assert "t3.new.natural_person" not in grand.sums
    assert "t3.carried_out.natural_person" not in grand.sums


def test_table_four_has_15_cells() -> None:
    t4 = [k for k in ALL_KEYS if k.startswith("t4.")]
    assert len(t4) == 15
    assert len(T4_GROUPS) * (len(T4_RESULTS) + 1) == 15
    assert len([f for f in ASKED if f.key.startswith("t4.")]) == 12


def test_table_two_has_10_cells_one_of_them_an_amount_in_wan_yuan() -> None:
    """规章 and 行政规范性文件 × 3 columns, then 许可, 处罚, 强制 and 收费: 6 + 4 = 10.

    DOMAIN.md §0 says "9 numbers (a 2×3 block plus 4 single values)"; its own breakdown and
    §1.4's layout add up to 10, which is what the official table has.
    """
    t2 = [f for f in ASKED if f.key.startswith("t2.")]
    assert len(t2) == 10
    assert [f.label.split("：")[0] for f in t2] == [
        *("规章",) * 3,
        *("行政规范性文件",) * 3,
        "行政许可",
        "行政处罚",
        "行政强制",
        "行政事业性收费",
    ]
    amounts = [f for f in t2 if f.kind is ValueKind.AMOUNT]
    assert [(f.key, f.unit) for f in amounts] == [("t2.fees.amount", "万元")]


def test_row_totals_sum_the_six_applicant_columns() -> None:
    for row in T3_ROWS:
        if row.key == "total_processed":
            continue
        total = FORM.field(f"t3.{row.key}.total")
        assert total.sums == tuple(f"t3.{row.key}.{c.key}" for c in T3_APPLICANT_COLUMNS)


def test_labels_use_full_width_punctuation() -> None:
    labels = [f.label for f in ASKED] + [f.label for f in FORM.computed]
    labels += [item.title for item in FORM.items] + [r.label for r in T3_ROWS]
    labels += [s.heading for s in FORM.sections]
    bad = [label for label in labels if HALF_WIDTH_PUNCTUATION.search(label)]
    assert bad == []
    assert "（二）部分公开（区分处理的，只计这一情形，不计其他情形）" in [r.label for r in T3_ROWS]


def test_department_form_has_43_items_and_government_form_46() -> None:
    department = FORM.items_for(UnitKind.DEPARTMENT)
    government = FORM.items_for(UnitKind.GOVERNMENT)
    assert len(department) == 43
    assert len(government) == 46
    extra = [i.id for i in government if i not in department]
    assert extra == ["text.gov.assessment", "text.gov.social_review", "text.gov.accountability"]


def test_sections_follow_the_official_order() -> None:
    assert tuple(s.heading for s in FORM.sections if s.heading) == OFFICIAL_HEADINGS


def test_every_section_plays_one_role_and_every_role_is_played_once() -> None:
    """The importer reads each part of a report by its section's role, never by its id."""
    roles = [s.role for s in FORM.sections]
    assert sorted(r.value for r in roles if r is not None) == sorted(r.value for r in SectionRole)
    assert all(FORM.section_for(role).role is role for role in SectionRole)
    assert FORM.section_for(SectionRole.REQUESTS).heading.startswith("三、")


def test_narrative_roles_belong_to_the_sections_of_the_same_role() -> None:
    texts = FORM.texts
    section_of = {role: FORM.section_for(role).id for role in SectionRole}
    assert FORM.item(texts.preamble).section == section_of[SectionRole.PREAMBLE]
    assert {FORM.item(key).section for key in texts.overall} == {section_of[SectionRole.OVERVIEW]}
    assert FORM.item(texts.problems).section == section_of[SectionRole.PROBLEMS]
    assert FORM.item(texts.other_matters).section == section_of[SectionRole.OTHER_MATTERS]
    assert FORM.item_of(FORM.fee_keys.processing_fee).section == section_of[SectionRole.OTHER_MATTERS]


def test_table_three_prints_its_results_under_one_part() -> None:
    assert FORM.requests.row_parts == (T3_RESULTS_PART,)


def test_the_2019_single_other_row_is_read_into_a_row_of_its_group() -> None:
    assert dict(FORM.legacy_rows) == {"（六）其他处理": "other_other"}
    for group, row in FORM.legacy_rows.items():
        assert FORM.requests.row(row).group == group


def test_the_printed_blocks_of_table_two_hold_every_table_two_field() -> None:
    """The importer reads table 二 from the blocks: each asked field of section 二 is in one block."""
    in_blocks = [key for block in FORM.blocks for _, keys in block.rows for key in keys]
    documents = FORM.section_for(SectionRole.DOCUMENTS).id
    asked = [f.key for item in FORM.items if item.section == documents for f in item.fields]
    assert in_blocks == asked


def test_number_items_have_an_example_and_a_hint() -> None:
    for item in FORM.items:
        if not item.is_narrative:
            assert item.example, item.id
            assert item.hint, item.id


def test_totals_of_a_changed_cell_equal_the_full_computation() -> None:
    answers = {
        f.key: n % 7
        for n, f in enumerate(f for f in FORM.all_fields() if not f.is_computed and f.kind.value == "count")
    }
    up_to_date = {**answers, **FORM.compute_totals(answers)}
    up_to_date["t3.partial.research_institution"] = 40
    full = FORM.compute_totals(up_to_date)
    partial = FORM.compute_totals(up_to_date, changed=["t3.partial.research_institution"])
    assert set(partial) == {
        "t3.partial.total",
        "t3.total_processed.research_institution",
        "t3.total_processed.total",
    }
    assert all(partial[key] == full[key] for key in partial)
