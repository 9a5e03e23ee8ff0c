"""Time rendering one filled report in each output format, and importing it from each layout.

    .venv/bin/python -m bench.render_bench [--runs N] [--report PATH.json]

Uses a real published report (淮安市 2024 by default: every table filled, long narratives).
Prints the median, fastest and slowest of N runs per format, and the output size. The imports
read nianbao's own text, HTML and Word output, the portal page pasted from Word, the flattened
text, and the HTML printed to PDF by headless Chromium (printed once, before timing).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dialogs.form import UnitKind
from dialogs.report_2021 import form_2021
from importer import import_document, import_html, import_text
from templates import ReportContext, build_context, render_docx, render_html, render_markdown, render_text
from tests.helpers.fixtures import REAL_REPORTS
from tests.helpers.printing import print_to_pdf
from tests.helpers.published import flattened_text, word_page
from tests.templates.builders import real_report


def _time(function: Callable[[], object], runs: int) -> tuple[list[float], int]:
    function()  # warm-up: template compilation and imports are not what we measure
    times = []
    size = 0
    for _ in range(runs):
        start = time.perf_counter()
        out = function()
        times.append((time.perf_counter() - start) * 1000)
        size = len(out.encode("utf-8")) if isinstance(out, str) else len(out) if isinstance(out, bytes) else 0
    return times, size


@dataclass(frozen=True, slots=True)
class RenderFigure:
    step: str
    median_ms: float
    min_ms: float
    max_ms: float
    size: int  # bytes of the output (0: not a document)


def measure(
    runs: int, report_path: Path = REAL_REPORTS[0], *, imports: bool = True, pdf: bool = True
) -> list[RenderFigure]:
    """Each format rendered `runs` times (and, with `imports`, read back in; `pdf` needs headless
    Chromium to print the HTML first)."""
    report = real_report(report_path)
    form = form_2021()

    def context() -> ReportContext:
        return build_context(
            form, agency=report.agency, unit=UnitKind.GOVERNMENT, year=report.year, answers=report.answers
        )

    ctx = context()
    cases: list[tuple[str, Callable[[], object]]] = [
        ("context", context),
        ("text", lambda: render_text(ctx)),
        ("markdown", lambda: render_markdown(ctx)),
        ("html", lambda: render_html(ctx)),
        ("docx", lambda: render_docx(ctx)),
    ]
    if imports:
        text, page, word = render_text(ctx), render_html(ctx), render_docx(ctx)
        pasted, flat = word_page(text, ctx.title).encode("utf-8"), flattened_text(text)
        # Reading a published report back in (the importer), from each layout it reads.
        cases += [
            ("import txt", lambda: import_text(text, form).answers),
            ("import html", lambda: import_html(page, form).answers),
            ("import docx", lambda: import_document(word, "report.docx", form).answers),
            ("import word page", lambda: import_document(pasted, "report.html", form).answers),
            ("import flat", lambda: import_text(flat, form).answers),
        ]
        if pdf:
            with tempfile.TemporaryDirectory() as folder:
                html_file = Path(folder) / "report.html"
                html_file.write_text(page, encoding="utf-8")
                printed = print_to_pdf(
                    html_file, Path(folder) / "report.pdf", profile=Path(folder) / "profile"
                )
            logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its per-font warnings, as bot/ sets it
            cases.append(("import pdf", lambda: import_document(printed, "report.pdf", form).answers))
    figures = []
    for name, function in cases:
        times, size = _time(function, runs)
        figures.append(RenderFigure(name, statistics.median(times), min(times), max(times), size))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--report", type=Path, default=REAL_REPORTS[0])
    args = parser.parse_args()
    print(f"{real_report(args.report).name}: median of {args.runs} runs (ms)")
    print(f"{'step':<16} {'median':>8} {'min':>8} {'max':>8} {'bytes':>8}")
    for f in measure(args.runs, args.report):
        size_text = str(f.size) if f.size else "-"
        print(f"{f.step:<16} {f.median_ms:>8.2f} {f.min_ms:>8.2f} {f.max_ms:>8.2f} {size_text:>8}")


if __name__ == "__main__":
    main()
