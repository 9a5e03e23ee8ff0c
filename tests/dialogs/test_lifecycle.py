"""The lifecycle table against the expected matrix, written out here cell by cell."""

from __future__ import annotations

import itertools

import pytest

from dialogs.lifecycle import (
    Action,
    Actor,
    Denial,
    Denied,
    Status,
    is_editable,
    is_finished,
    transition,
)

D, S, R, A = Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED
STAFF, COORD, OP = Actor.STAFF, Actor.COORDINATOR, Actor.OPERATOR

# (action, actor) → {from: to}; anything not listed is refused.
ALLOWED: dict[tuple[Action, Actor], dict[Status, Status]] = {
    (Action.SUBMIT, STAFF): {D: S, R: S},
    (Action.RETURN, COORD): {S: R},
    (Action.RETURN, OP): {S: R},
    (Action.ACCEPT, COORD): {S: A},
    (Action.ACCEPT, OP): {S: A},
    (Action.REOPEN, COORD): {A: R},
    (Action.REOPEN, OP): {A: R},
    (Action.RECORD_PUBLISHED, STAFF): {D: S, R: S, S: S},
    (Action.RECORD_PUBLISHED, COORD): {D: S, R: S, S: S},
    (Action.RECORD_PUBLISHED, OP): {D: S, R: S, S: S},
}


@pytest.mark.parametrize(
    ("status", "action", "actor"), list(itertools.product(Status, Action, Actor)), ids=str
)
def test_every_cell_of_the_matrix(status: Status, action: Action, actor: Actor) -> None:
    allowed = ALLOWED.get((action, actor))
    outcome = transition(status, action, actor)
    if allowed is None:
        assert outcome == Denied(action, status, Denial.NOT_PERMITTED)
    elif status in allowed:
        assert outcome is allowed[status]
    else:
        assert outcome == Denied(action, status, Denial.WRONG_STATE)


def test_staff_can_neither_accept_nor_return_their_own_report() -> None:
    assert transition(S, Action.ACCEPT, STAFF) == Denied(Action.ACCEPT, S, Denial.NOT_PERMITTED)
    assert transition(S, Action.RETURN, STAFF) == Denied(Action.RETURN, S, Denial.NOT_PERMITTED)


def test_only_drafts_and_returned_reports_are_editable_and_only_handed_in_ones_finished() -> None:
    assert [s for s in Status if is_editable(s)] == [D, R]
    assert [s for s in Status if is_finished(s)] == [S, A]
    assert is_editable("returned")
    assert not is_editable("accepted")
