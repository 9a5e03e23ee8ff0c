"""`nianbao check`: the rule catalogue run on published reports (text or HTML) made elsewhere."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.importing import read_report_file
from dialogs import messages as msg
from dialogs.catalogue import ALL_RULES
from dialogs.form import Form, UnitKind
from dialogs.report_2021 import form_2021
from dialogs.rules import SEVERITY_LABELS, Finding, ReportFacts, Severity, run_rules
from importer import ImportResult

# The files a directory given to `check` is checked for: published reports as text or web pages.
REPORT_SUFFIXES = (".txt", ".html", ".htm", ".mhtml", ".mht")


def report_files(paths: Sequence[str]) -> list[str]:
    """`paths` with each directory replaced by the report files in it (sorted, not recursive).

    A directory without any stays in the list as itself, so that it is reported as such.
    """
    out: list[str] = []
    for path in paths:
        folder = Path(path)
        if not folder.is_dir():
            out.append(path)
            continue
        found = sorted(
            str(f) for f in folder.iterdir() if f.is_file() and f.suffix.lower() in REPORT_SUFFIXES
        )
        out.extend(found or [path])
    return out


def _read(path: str, form: Form) -> ImportResult | str:
    if Path(path).is_dir():
        return msg.CHECK_EMPTY_DIRECTORY.format(path=path, suffixes=msg.LIST_SEP.join(REPORT_SUFFIXES))
    result = read_report_file(path, form)
    if result is None:
        return msg.IMPORT_NO_FILE.format(path=path)
    return result if result.is_usable else result.error


def check_result(
    form: Form, result: ImportResult, *, unit: UnitKind, previous: ImportResult | None
) -> list[Finding]:
    facts = ReportFacts(
        form=form,
        unit=unit,
        year=result.year or 0,
        answers=result.answers,
        previous=previous.answers if previous is not None else None,
        agency=result.agency,
        source=result.source,
    )
    return run_rules(facts, ALL_RULES)


def run_check(
    files: Sequence[str], *, previous: str | None, kind: str | None, as_json: bool, out: TextIO
) -> int:
    form = form_2021()
    last_year: ImportResult | None = None
    if previous is not None:
        read = _read(previous, form)
        if isinstance(read, str):
            print(msg.CHECK_UNREADABLE.format(file=previous, error=read), file=out)
            return 2
        last_year = read
    reports: list[dict[str, Any]] = []
    worst = 0
    for path in report_files(files):
        read = _read(path, form)
        if isinstance(read, str):
            reports.append({"file": path, "readable": False, "error": read})
            worst = max(worst, 2)
            continue
        unit = UnitKind(msg.UNIT_WORDS[kind]) if kind else form.guess_unit_kind(read.agency)
        findings = check_result(form, read, unit=unit, previous=last_year)
        if any(f.severity is Severity.ERROR for f in findings):
            worst = max(worst, 1)
        reports.append(
            {
                "file": path,
                "readable": True,
                "agency": read.agency,
                "year": read.year,
                "unit": unit.value,
                "findings": [
                    {
                        "rule": f.rule_id,
                        "severity": f.severity.value,
                        "message": f.message,
                        "cells": list(f.keys),
                    }
                    for f in findings
                ],
                "import_notes": [p.describe() for p in read.problems],
            }
        )
    if as_json:
        print(json.dumps(reports, ensure_ascii=False, indent=2), file=out)
    else:
        for report in reports:
            _print_report(report, out)
    return worst


def _print_report(report: dict[str, Any], out: TextIO) -> None:
    if not report["readable"]:
        print(msg.CHECK_UNREADABLE.format(file=report["file"], error=report["error"]), file=out)
        return
    print(
        msg.CHECK_HEADER.format(file=report["file"], agency=report["agency"], year=report["year"]), file=out
    )
    findings = report["findings"]
    counts = {s: sum(1 for f in findings if f["severity"] == s.value) for s in Severity}
    for finding in findings:
        label = SEVERITY_LABELS[Severity(finding["severity"])]
        print(msg.CHECK_LINE.format(label=label, rule=finding["rule"], message=finding["message"]), file=out)
    if not findings:
        print(f"  {msg.CHECK_NONE}", file=out)
    print(
        "  "
        + msg.CHECK_COUNTS.format(
            errors=counts[Severity.ERROR], warnings=counts[Severity.WARNING], infos=counts[Severity.INFO]
        ),
        file=out,
    )
