"""The HTML report in a real browser (headless Chromium): merged headers as laid out, and a screenshot.

A test copy of the page gets a small script that measures every table cell (offsetLeft/Width,
offsetTop/Height), turns the geometry back into grid spans and writes them into the DOM;
`--dump-dom` hands the result back. The spans come from the browser's layout, not from the
rowspan/colspan attributes, so a table the browser would draw shifted fails here.
Screenshots go to tests/artifacts/ (gitignored) for people to look at.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dialogs.form import Form, UnitKind
from templates import build_context, render_html
from tests.templates.builders import RealReport
from tests.templates.markup import report_tables, soup
from tests.templates.official import Span, assert_layout

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
WINDOW = (1200, 3000)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

MEASURE = """
<script>
(function () {
  for (const table of document.querySelectorAll("table.report-table")) {
    const cells = Array.from(table.querySelectorAll("th, td"));
    const lefts = [...new Set(cells.map((c) => c.offsetLeft))].sort((a, b) => a - b);
    const tops = [...new Set(cells.map((c) => c.offsetTop))].sort((a, b) => a - b);
    const spanned = (edges, start, size) => edges.filter((e) => e >= start && e < start + size - 1).length;
    for (const c of cells) {
      const row = tops.indexOf(c.offsetTop), col = lefts.indexOf(c.offsetLeft);
      const rows = spanned(tops, c.offsetTop, c.offsetHeight), cols = spanned(lefts, c.offsetLeft, c.offsetWidth);
      c.setAttribute("data-layout", [row, col, rows, cols].join(","));
    }
  }
})();
</script>
"""


def _chromium() -> str:
    path = shutil.which("chromium")
    assert path is not None, (
        "chromium is not installed: apt-get install -y chromium fonts-noto-cjk (./test does)"
    )
    return path


def _run_chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == PNG_SIGNATURE
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


@pytest.fixture
def page(form: Form, huaian: RealReport, tmp_path: Path) -> Path:
    answers = {
        **huaian.answers,
        "text.gov.assessment": "无",
        "text.gov.social_review": "无",
        "text.gov.accountability": "无",
    }
    ctx = build_context(
        form, agency=huaian.agency, unit=UnitKind.GOVERNMENT, year=huaian.year, answers=answers
    )
    path = tmp_path / "report.html"
    path.write_text(render_html(ctx), encoding="utf-8")
    return path


@pytest.mark.slow
def test_browser_lays_out_the_official_merged_headers(page: Path, tmp_path: Path) -> None:
    measured = tmp_path / "measured.html"
    measured.write_text(
        page.read_text(encoding="utf-8").replace("</body>", f"{MEASURE}</body>"), encoding="utf-8"
    )
    dom = _run_chromium(tmp_path / "profile", "--dump-dom", measured.as_uri()).stdout
    tables = report_tables(soup(dom))
    assert list(tables) == ["t2", "t3", "t4"]
    for table_id, table in tables.items():
        cells: list[tuple[Span, str]] = []
        for cell in table.find_all(["th", "td"]):
            row, col, rows, cols = (int(n) for n in str(cell["data-layout"]).split(","))
            cells.append(((row, col, rows, cols), cell.get_text()))
        assert_layout(table_id, cells)


@pytest.mark.slow
def test_browser_screenshots_are_written_for_review(
    page: Path, form: Form, huaian: RealReport, tmp_path: Path
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tables_only = build_context(
        form,
        agency=huaian.agency,
        unit=UnitKind.GOVERNMENT,
        year=huaian.year,
        answers={k: v for k, v in huaian.answers.items() if not k.startswith("text.")},
    )
    tables_page = tmp_path / "tables.html"
    tables_page.write_text(render_html(tables_only), encoding="utf-8")
    window = f"--window-size={WINDOW[0]},{WINDOW[1]}"
    for source, name in ((page, "report_01_huaian.png"), (tables_page, "report_01_huaian_tables.png")):
        target = ARTIFACTS / name
        target.unlink(missing_ok=True)
        _run_chromium(tmp_path / f"profile-{name}", f"--screenshot={target}", window, source.as_uri())
        assert _png_size(target) == WINDOW
