"""The report's title: the national format's default, or the title the agency published.

Published titles vary ("...2025 nian du ..." instead of "...2025 nian ...", or the agency on
one line and the rest on the next), so the title is an answer like any other (`TITLE_KEY`),
proposed as the default and kept when confirmed. Whether it names the report and the year is
a rule (FMT-TITLE warns, XY-YEAR blocks a wrong year); what no output can carry (control
characters, an empty or runaway title) is refused here at entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from dialogs import messages as msg
from dialogs.form import Form, Value
from dialogs.parsing import Rejected

if TYPE_CHECKING:
    from dialogs.rules import ReportFacts

TITLE_KEY = "report.title"
TITLE_MIN_LENGTH = 8
TITLE_MAX_LENGTH = 100
"""Real titles run 20-50 characters; a paragraph pasted by mistake is longer than this."""

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Blanks next to a Chinese character are layout, not text (seed 002's title has one).
_CJK = "\u2e80-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_BY_CJK = re.compile(rf"\s+(?=[{_CJK}])|(?<=[{_CJK}])\s+")
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def default_title(form: Form, agency: str, year: int) -> str:
    """The title the form gives (the 2021 format: the agency, the year, then the fixed words)."""
    return form.default_title(_SPACES.sub(" ", agency).strip(), year)


def parse_title(raw: str) -> str | Rejected:
    """A typed or imported title as one line (a title printed over two lines is joined)."""
    lines = [line.strip() for line in _LINE_BREAK.split(raw)]
    title = _SPACE_BY_CJK.sub("", "".join(line for line in lines if line))
    title = _SPACES.sub(" ", title).strip()
    if not title:
        return Rejected(msg.TITLE_EMPTY)
    if _CONTROL.search(title):
        return Rejected(msg.TITLE_CONTROL)
    if len(title) < TITLE_MIN_LENGTH:
        return Rejected(msg.TITLE_TOO_SHORT.format(title=title))
    if len(title) > TITLE_MAX_LENGTH:
        return Rejected(msg.TITLE_TOO_LONG.format(limit=TITLE_MAX_LENGTH, length=len(title)))
    return title


def report_title(form: Form, answers: Mapping[str, Value], agency: str, year: int) -> str:
    """The stored title when it is one that can be printed, else the default."""
    stored = answers.get(TITLE_KEY)
    if isinstance(stored, str):
        title = parse_title(stored)
        if not isinstance(title, Rejected):
            return title
    return default_title(form, agency, year)


def given_title(facts: ReportFacts) -> str:
    """The title someone chose (typed, or printed on an imported report); "" for the default.

    The default is built from the national format and needs no check.
    """
    stored = facts.text(TITLE_KEY)
    if stored:
        return stored
    return facts.source.title if facts.source is not None else ""
