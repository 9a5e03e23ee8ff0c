"""Pages printed to PDF by a real browser (headless Chromium), as a clerk prints a report page.

The print keeps Chromium's default page header and footer (the date, the page title, the file's
address and "1/5"), which a reader must drop. Chromium is Debian's `chromium` with
`fonts-noto-cjk` (./test installs both); the pages it prints load nothing from the network.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium() -> str:
    path = shutil.which("chromium")
    assert path is not None, (
        "chromium is not installed: apt-get install -y chromium fonts-noto-cjk (./test does)"
    )
    return path


def print_to_pdf(page: Path, pdf: Path, *, profile: Path) -> bytes:
    """`page` (an .html file) printed to `pdf`; returns the PDF's bytes."""
    command = [chromium(), *_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", page.as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert pdf.is_file(), result.stderr[-2000:]
    return pdf.read_bytes()
