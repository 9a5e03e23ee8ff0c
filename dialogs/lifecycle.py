"""The report's lifecycle: its states, what moves it between them, and who may.

One table (`TRANSITIONS`) says everything; every adapter (Telegram, terminal, the CLI) and
storage go through `transition`, so no module decides on its own that, say, a returned
report is editable or a coordinator may accept a draft.

    draft ──submit──▶ submitted ──accept──▶ accepted
      ▲                 │   ▲                  │
      │              return │ submit           │ reopen
      │                 ▼   │                  ▼
      └──────────────  returned  ◀─────────────┘

A published report read from a document (`RECORD_PUBLISHED`, the import of last year's
report) is submitted from the start. Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class Action(Enum):
    SUBMIT = "submit"
    RETURN = "return"
    ACCEPT = "accept"
    REOPEN = "reopen"
    RECORD_PUBLISHED = "record_published"


class Actor(Enum):
    STAFF = "staff"
    """A member of the report's agency."""
    COORDINATOR = "coordinator"
    """A coordinator (the disclosure office) of the report's district."""
    OPERATOR = "operator"
    """Whoever runs the command line on the server: a coordinator's powers, locally."""


_REVIEWERS = frozenset({Actor.COORDINATOR, Actor.OPERATOR})


@dataclass(frozen=True, slots=True)
class Transition:
    action: Action
    sources: frozenset[Status]
    target: Status
    actors: frozenset[Actor]


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        Action.SUBMIT, frozenset({Status.DRAFT, Status.RETURNED}), Status.SUBMITTED, frozenset({Actor.STAFF})
    ),
    Transition(Action.RETURN, frozenset({Status.SUBMITTED}), Status.RETURNED, _REVIEWERS),
    Transition(Action.ACCEPT, frozenset({Status.SUBMITTED}), Status.ACCEPTED, _REVIEWERS),
    Transition(Action.REOPEN, frozenset({Status.ACCEPTED}), Status.RETURNED, _REVIEWERS),
    Transition(
        Action.RECORD_PUBLISHED,
        frozenset({Status.DRAFT, Status.RETURNED, Status.SUBMITTED}),
        Status.SUBMITTED,
        _REVIEWERS | {Actor.STAFF},
    ),
)
_BY_ACTION = {t.action: t for t in TRANSITIONS}

EDITABLE: frozenset[Status] = frozenset({Status.DRAFT, Status.RETURNED})
"""States whose answers may change (the dialog asks; elsewhere it only shows)."""
OPEN: frozenset[Status] = EDITABLE
"""States still owed by the agency: reminders go to these, the dashboard counts them as missing."""
FINISHED: frozenset[Status] = frozenset({Status.SUBMITTED, Status.ACCEPTED})
"""States that count as handed in: exported, summed in the district totals."""

HANDED_IN_ONCE: frozenset[Status] = frozenset({Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED})
"""States reached only through a submission: the report has a submission time to show."""


class Denial(Enum):
    NOT_PERMITTED = "not_permitted"
    """This actor may never do this action."""
    WRONG_STATE = "wrong_state"
    """The action exists for this actor, but not from the report's current state."""


@dataclass(frozen=True, slots=True)
class Denied:
    action: Action
    status: Status
    reason: Denial


def transition(status: Status | str, action: Action, actor: Actor) -> Status | Denied:
    """The state `action` by `actor` moves a report in `status` to, or why it may not."""
    current = Status(status)
    rule = _BY_ACTION[action]
    if actor not in rule.actors:
        return Denied(action, current, Denial.NOT_PERMITTED)
    if current not in rule.sources:
        return Denied(action, current, Denial.WRONG_STATE)
    return rule.target


def sources(action: Action) -> frozenset[Status]:
    """The states `action` may start from (to tell a person what the action needs)."""
    return _BY_ACTION[action].sources


def is_editable(status: Status | str) -> bool:
    return Status(status) in EDITABLE


def is_finished(status: Status | str) -> bool:
    return Status(status) in FINISHED


def is_returned(status: Status | str) -> bool:
    """Sent back to the agency (by a return or a reopening): the reminders say so."""
    return Status(status) is Status.RETURNED


def was_handed_in(status: Status | str) -> bool:
    return Status(status) in HANDED_IN_ONCE
