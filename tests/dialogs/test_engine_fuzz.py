"""Stateful fuzzing of the pure engine: any text, command and button, stale or never issued.

After every step: no exception, every reply in Chinese, every stored total the sum of its
parts, and a step that writes table 三's carried-out row leaves every column balanced. The
profile (`FUZZ_ENGINE`) bounds the cases so `./test` stays fast: 300 runs × up to 40 steps.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from dialogs.engine import Choice, DialogState, Event, Press, ReportInfo, Resume, Step, Text, step
from dialogs.form import UnitKind, Value
from dialogs.report_2021 import form_2021
from tests.helpers.dialog import apply_writes
from tests.helpers.fuzz import CJK, any_text, broken_tables, unbalanced_columns

FORM = form_2021()
FUZZ_ENGINE = settings(
    max_examples=300, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
tokens = st.one_of(
    st.sampled_from(["", "review", "toc", "t2.regulations", "t3.new#2", "@outdated"]), st.text(max_size=10)
)


class EngineDialog(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.info = ReportInfo("某某区行政审批局", UnitKind.DEPARTMENT, 2024)
        self.answers: dict[str, Value] = {}
        self.state = DialogState()
        self.offered: list[tuple[Choice, str]] = []  # every button ever shown, with its token
        self.current: tuple[tuple[Choice, ...], str] = ((), "")
        self.last: Step | None = None
        self.submitted = False
        self.send(Resume())

    def send(self, event: Text | Press | Resume) -> None:
        result = step(FORM, self.info, self.answers, self.state, event)
        apply_writes(self.answers, result.writes)
        self.state = result.state
        self.last = result
        if Event.SUBMITTED in result.events:
            self.submitted = True
        for reply in result.replies:
            self.offered += [(c, reply.token) for c in reply.choices]
            if reply.choices:
                self.current = (reply.choices, reply.token)
        assert result.replies, event
        assert all(CJK.search(r.text) for r in result.replies), result.replies
        assert not broken_tables(FORM, self.answers, self.info.unit, self.info.year)
        if any(w.key.startswith("t3.carried_out.") for w in result.writes):
            assert not unbalanced_columns(FORM, self.answers, self.info.unit, self.info.year)

    @rule(text=any_text)
    def type_text(self, text: str) -> None:
        self.send(Text(text))

    @rule(text=any_text, token=tokens)
    def type_at_another_position(self, text: str, token: str) -> None:
        self.send(Text(text, token))

    @precondition(lambda self: bool(self.current[0]))
    @rule(data=st.data())
    def press_a_current_button(self, data: st.DataObject) -> None:
        choices, token = self.current
        self.send(Press(data.draw(st.sampled_from(choices)).value, token))

    @precondition(lambda self: bool(self.offered))
    @rule(data=st.data())
    def press_an_old_button(self, data: st.DataObject) -> None:
        choice, token = data.draw(st.sampled_from(self.offered))
        self.send(Press(choice.value, token))

    @rule(value=st.text(max_size=20), token=tokens)
    def press_a_button_never_issued(self, value: str, token: str) -> None:
        self.send(Press(value, token))

    @rule()
    def resume(self) -> None:
        self.send(Resume())

    @invariant()
    def submitted_reports_have_balanced_tables(self) -> None:
        if self.submitted:
            assert not unbalanced_columns(FORM, self.answers, self.info.unit, self.info.year)


EngineDialog.TestCase.settings = FUZZ_ENGINE
TestEngineDialog = EngineDialog.TestCase
