"""What the importer knows of the 2021 national format beyond what the `Form` object declares.

Everything else (sections and their headings, items and their fields, table-3 rows and columns,
table-4 groups and results) is read from the `Form` passed in. The names below come from the 2021
declaration until the Form declares them (table-2 rows, the subsections of part 1, the section
each reader handles, the keys of the narratives and of the processing fee), so switching the
importer to a Form that declares them touches this one module.
"""

from __future__ import annotations

from dialogs.form import Form

# Until the Form declares them: table 2's rows, table 3's results part, the subsections of
# part 1, and the key builders of tables 3 and 4.
from dialogs.report_2021 import (
    S1_SUBSECTIONS,
    T2_DECISION_ROWS,
    T2_DOC_ROWS,
    T2_FEES,
    T3_RESULTS_PART,
    t3_key,
    t4_key,
)

__all__ = [
    "OLD_OTHER_TARGET",
    "OVERALL_SECTION",
    "OVERVIEW_KEY",
    "PREAMBLE_KEY",
    "PROCESSING_FEE_KEY",
    "S1_SUBSECTIONS",
    "S5_SECTION",
    "S5_TEXT_KEY",
    "S6_SECTION",
    "S6_TEXT_KEY",
    "T2_DECISION_ROWS",
    "T2_DOC_ROWS",
    "T2_FEES",
    "T3_RESULTS_PART",
    "TABLE2_SECTION",
    "TABLE3_SECTION",
    "TABLE4_SECTION",
    "t2_item",
    "t3_balance",
    "t3_key",
    "t4_key",
]

# Until the Form says which reader each section needs: the 2021 section ids.
OVERALL_SECTION = "s1"
TABLE2_SECTION = "s2"
TABLE3_SECTION = "s3"
TABLE4_SECTION = "s4"
S5_SECTION = "s5"
S6_SECTION = "s6"

# Until the Form names a section's narrative and fee fields: the 2021 keys.
PREAMBLE_KEY = "text.preamble"
OVERVIEW_KEY = "text.overview"
S5_TEXT_KEY = "text.s5"
S6_TEXT_KEY = "text.s6"
PROCESSING_FEE_KEY = "s6.processing_fee"


def t3_balance(form: Form) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Per column of table 3, the form's balance: new + carried in = processed + carried out.

    Empty for a form that declares no balance (the importer then cuts rows by their totals only).
    """
    balance = form.balance
    if balance is None:
        return []
    grid = balance.grid
    return [
        (
            (grid.key(balance.new, c.key), grid.key(balance.carried_in, c.key)),
            (grid.key(balance.processed, c.key), grid.key(balance.carried_out, c.key)),
        )
        for c in grid.columns
    ]


OLD_OTHER_TARGET = "other_other"
"""The table-3 row that takes the 2019 trial format's single row for other processing (item 6)."""


def t2_item(row: str) -> str:
    """The id of the item that asks a table-2 row (until the Form groups table 2's items by row)."""
    return f"t2.{row}"
