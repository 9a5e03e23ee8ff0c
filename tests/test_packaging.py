"""The package as pip installs it: a wheel built from the tree, installed into a fresh venv.

Looking at the source tree says nothing about what an installation holds: a template or a
migration left out of the package data is there in the tree and missing only once installed.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

from dialogs.report_2021 import form_2021, guess_unit_kind
from tests.helpers.fixtures import REAL_REPORTS, answers_from_json, load_json, narratives_from_json
from tests.helpers.report_text import assert_tables_in_text
from tests.helpers.scripts import full_script
from tests.helpers.terminal import run_captured

REPO = Path(__file__).resolve().parents[1]
PROCESS_LIMIT = 300  # seconds: a safety bound so a hung build or process fails the test, not a timing claim
# What a checkout has beside the source; the build writes build/ and *.egg-info into its copy.
_NOT_SOURCE = shutil.ignore_patterns(
    ".venv", ".git", "__pycache__", "*.egg-info", "build", "dist", ".*_cache"
)
_WHERE = """
import importlib.metadata, json, bot, dialogs, storage, templates
print(json.dumps({
    "modules": [m.__file__ for m in (bot, dialogs, storage, templates)],
    "files": [str(f) for f in importlib.metadata.distribution("nianbao").files or ()],
}))
"""

pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = run_captured(args, env=env, cwd=cwd, timeout=PROCESS_LIMIT)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done.stdout


def _clean_env() -> dict[str, str]:
    """No PYTHONPATH and no settings: the venv sees only what was installed into it."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("NIANBAO_")}


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("package")
    source = root / "source"
    shutil.copytree(REPO, source, ignore=_NOT_SOURCE)
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--quiet",
        "--wheel-dir",
        root / "dist",
        source,
        cwd=root,
    )
    [wheel] = (root / "dist").glob("nianbao-*.whl")
    venv = root / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=root)
    python = venv / "bin" / "python"
    site = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=root).strip()
    )
    # The dependencies come from this interpreter's site-packages, but its editable nianbao does
    # not: a directory named in a .pth file joins sys.path as it is, its own .pth files unread.
    (site / "nianbao_test_dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        "--quiet",
        wheel,
        cwd=root,
    )
    yield venv
    shutil.rmtree(root)


def test_the_installed_package_holds_its_templates_and_migrations(venv: Path, tmp_path: Path) -> None:
    found = json.loads(_run(venv / "bin" / "python", "-c", _WHERE, cwd=tmp_path, env=_clean_env()))
    for module in found["modules"]:
        assert Path(module).is_relative_to(venv), module  # the installed copy, not the tree
    installed = set(found["files"])
    templates = {f"templates/{p.name}" for p in (REPO / "templates").glob("*.j2")}
    migrations = {
        f"storage/migrations/versions/{p.name}" for p in (REPO / "storage/migrations/versions").glob("*.py")
    }
    assert len(templates) >= 4
    assert len(migrations) >= 3
    assert templates <= installed
    assert {"storage/migrations/env.py", *migrations} <= installed


def test_the_installed_command_fills_a_report_into_a_new_database_and_writes_every_format(
    venv: Path, tmp_path: Path
) -> None:
    # A new SQLite file gets its schema from the installed migrations; the four files come from
    # the installed templates and the Word writer.
    form = form_2021()
    path = next(p for p in REAL_REPORTS if "huaian" in p.name)
    meta = load_json(path)["report"]
    tables = answers_from_json(path)
    script = full_script(
        form,
        meta["agency"],
        guess_unit_kind(meta["agency"]),
        int(meta["year"]),
        {**tables, **narratives_from_json(path)},
    )
    env = _clean_env() | {
        "NIANBAO_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "NIANBAO_OUTPUT_DIR": str(tmp_path / "out"),
        "NIANBAO_DATA_DIR": str(tmp_path / "data"),
    }
    done = run_captured(
        [venv / "bin" / "nianbao"], env=env, cwd=tmp_path, lines=script, timeout=PROCESS_LIMIT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "报告已提交" in done.stdout
    written = {p.suffix: p for p in (tmp_path / "out").iterdir()}
    assert sorted(written) == [".docx", ".html", ".md", ".txt"]
    assert_tables_in_text(written[".txt"].read_text(encoding="utf-8"), tables)
