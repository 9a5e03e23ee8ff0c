"""ReportFacts of a published report file (the seeds), read by the real importer."""

from __future__ import annotations

from pathlib import Path

from dialogs.report_2021 import form_2021, guess_unit_kind
from dialogs.rules import ReportFacts
from importer import import_text


def seed_facts(path: Path) -> ReportFacts:
    form = form_2021()
    result = import_text(path.read_text(encoding="utf-8"), form)
    assert result.is_usable, result.error
    assert result.year is not None
    return ReportFacts(
        form,
        guess_unit_kind(result.agency),
        result.year,
        result.answers,
        agency=result.agency,
        source=result.source,
    )
