"""Whether a report read from a document may be stored as an earlier report of one agency.

Staff import last year's published report of their own agency (issue 13), so this year's dialog
proposes its carry-over: the document must report on a year before the one they fill, and the
agency its title names must be theirs (one name may hold the other: a district government's title
often prefixes the city to the name it is registered under). Anything else is for a coordinator
to import.
"""

from __future__ import annotations

from importer import messages as msg
from importer.lines import fold
from importer.notes import ImportResult

__all__ = ["earlier_report_problem"]


def earlier_report_problem(result: ImportResult, *, agency: str, year: int | None, before: int) -> str:
    """Why `result` cannot be stored as `agency`'s report of a year before `before`; "" when it can.

    `year` is the year the person gave with the file, which wins over the document's. A refused
    import has nothing to store and is told by its own error, so it has no problem here.
    """
    if not result.is_usable:
        return ""
    report_year = year or result.year
    if report_year is None:
        return msg.EARLIER_NO_YEAR.format(example=before - 1)
    if report_year >= before:
        return msg.EARLIER_NOT_EARLIER.format(year=report_year, before=before)
    printed, own = fold(result.agency), fold(agency)
    if printed and printed not in own and own not in printed:
        return msg.EARLIER_OTHER_AGENCY.format(printed=result.agency, agency=agency)
    return ""
