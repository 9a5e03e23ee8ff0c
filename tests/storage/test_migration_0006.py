"""A database of the previous release (0005) upgrades: the pseudo-answers of a submission's
confirmed warnings and of a return's comment become confirmation and status_change rows, and
the answers that were real stay."""

from __future__ import annotations

from sqlmodel import col, select

from storage.tables import Answer, AnswerChange, Confirmation, StatusChange
from tests.helpers.databases import upgraded_from

_ROWS = (
    "insert into agency (id, name, unit_kind, created_at) "
    "values (1, '区财政局', 'department', '2026-01-01 00:00:00')",
    "insert into person (id, telegram_id, display_name, is_coordinator, created_at) "
    "values (1, 11, '甲', false, '2026-01-01 00:00:00')",
    "insert into person (id, telegram_id, display_name, is_coordinator, created_at) "
    "values (2, 22, '乙', true, '2026-01-01 00:00:00')",
    "insert into report (id, agency_id, year, status, form_version, source, created_at, submitted_by) "
    "values (1, 1, 2025, 'returned', '2021', 'dialog', '2026-01-01 00:00:00', 1)",
    "insert into answer (report_id, key, value, raw, by_person_id, at) values "
    "(1, 'review.confirmed_warnings', 'R7:2.1' || char(9) || '第一条' || char(10) || 'R9:3' || char(9) || '第二条', "
    "'确认提交', 1, '2026-01-20 02:00:00')",
    "insert into answer (report_id, key, value, raw, by_person_id, at) values "
    "(1, 'review.explanation', '本年度机构调整', '本年度机构调整', 1, '2026-01-20 02:00:00')",
    "insert into answer (report_id, key, value, raw, by_person_id, at) values "
    "(1, 'review.return_comment', '请更正第三部分', '请更正第三部分', 2, '2026-01-21 03:00:00')",
    "insert into answer (report_id, key, value, raw, by_person_id, at) values "
    "(1, 'sec2.rules.made', '3', '3', 1, '2026-01-19 01:00:00')",
    "insert into answer_change (report_id, key, old_value, new_value, raw, by_person_id, at) values "
    "(1, 'review.return_comment', null, '请更正第三部分', '请更正第三部分', 2, '2026-01-21 03:00:00')",
    "insert into answer_change (report_id, key, old_value, new_value, raw, by_person_id, at) values "
    "(1, 'sec2.rules.made', null, '3', '3', 1, '2026-01-19 01:00:00')",
)


async def test_a_database_of_the_previous_release_moves_its_pseudo_answers_into_rows(
    database_url: str,
) -> None:
    async with upgraded_from(database_url, "0005", _ROWS) as db:
        async with db.session() as session:
            confirmations = (await session.exec(select(Confirmation).order_by(col(Confirmation.id)))).all()
            changes = (await session.exec(select(StatusChange))).all()
            answers = (await session.exec(select(Answer.key))).all()
            history = (await session.exec(select(AnswerChange.key))).all()
        assert [
            (c.rule_id, c.finding_ref, c.message, c.explanation, c.by_person_id) for c in confirmations
        ] == [
            ("R7", "R7:2.1", "第一条", "本年度机构调整", 1),
            ("R9", "R9:3", "第二条", "本年度机构调整", 1),
        ]
        assert [(s.from_status, s.to_status, s.action, s.by_person_id, s.comment) for s in changes] == [
            ("submitted", "returned", "return", 2, "请更正第三部分")
        ]
        assert list(answers) == ["sec2.rules.made"]
        assert list(history) == ["sec2.rules.made"]
