"""The package boundaries of STYLE.md §1 and where Chinese text may live, read from the source."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "dialogs", "storage", "templates")

# STYLE.md §1: package → top-level modules it must never import.
NEVER_IMPORTS: dict[str, frozenset[str]] = {
    "dialogs": frozenset({"telegram", "sqlmodel", "sqlalchemy", "jinja2", "bot", "storage", "templates"}),
    "templates": frozenset({"telegram", "bot", "storage"}),
    "storage": frozenset({"telegram", "bot", "templates"}),
}

# CJK ideographs, kana, bopomofo, CJK symbols and punctuation, full-width forms.
CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)
CJK_SCANNED = ("bot", "storage", "dialogs")


def _may_hold_chinese(path: Path) -> bool:
    """Messages, the form declaration, rule messages, sentence templates, and the readers of
    Chinese text whose patterns are Chinese vocabulary (command words, numbers as people type
    them, numbers as reports write them)."""
    relative = path.relative_to(ROOT)
    if relative.parts[0] == "templates":
        return True
    if relative.parts[0] != "dialogs":
        return False
    name = path.name
    return name.startswith(("messages", "rules")) or name in {
        "report_2021.py",
        "sentences.py",
        "catalogue.py",
        "commands.py",
        "parsing.py",
        "textscan.py",
        "narrative_claims.py",
    }


def _modules(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if ".venv" not in p.parts)


def _imported_top_levels(path: Path, package: str) -> set[str]:
    """Top-level names of every import in the module, including function-level and TYPE_CHECKING ones."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # a relative import stays inside its own package
                names.add(package)
            elif node.module:
                names.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value.split(".")[0])
    return names


def _all_modules() -> list[tuple[str, Path]]:
    return [(package, path) for package in PACKAGES for path in _modules(package)]


def test_every_package_has_modules() -> None:
    for package in PACKAGES:
        assert _modules(package), package


@pytest.mark.parametrize(
    ("package", "path"), _all_modules(), ids=[str(p.relative_to(ROOT)) for _, p in _all_modules()]
)
def test_imports_follow_the_package_table(package: str, path: Path) -> None:
    imported = _imported_top_levels(path, package)
    forbidden = set(NEVER_IMPORTS.get(package, frozenset()))
    if package != "bot":
        forbidden.add("bot")  # nothing imports bot
    assert not imported & forbidden, f"{path.relative_to(ROOT)} imports {sorted(imported & forbidden)}"


def test_the_import_reader_sees_every_kind_of_import(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text(
        "import telegram.ext\n"
        "from sqlmodel import Field\n"
        "from . import sibling\n"
        "import importlib\n"
        "def f():\n"
        "    from storage.db import Database\n"
        "    importlib.import_module('jinja2')\n",
        encoding="utf-8",
    )
    assert _imported_top_levels(module, "dialogs") == {
        "telegram",
        "sqlmodel",
        "dialogs",
        "importlib",
        "storage",
        "jinja2",
    }


def _cjk_lines(path: Path) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if CJK.search(line)
    ]


def _scanned() -> list[Path]:
    return [p for package in CJK_SCANNED for p in _modules(package) if not _may_hold_chinese(p)]


@pytest.mark.parametrize("path", _scanned(), ids=[str(p.relative_to(ROOT)) for p in _scanned()])
def test_no_chinese_outside_messages_declaration_and_templates(path: Path) -> None:
    """Comments and docstrings count: identifiers, logs and comments are English."""
    lines = _cjk_lines(path)
    assert lines == []


def test_the_chinese_scan_sees_punctuation_and_ideographs() -> None:
    assert CJK.search("# sum of 总计")
    assert CJK.search("x = '、'")
    assert CJK.search("（")
    assert not CJK.search("# plain English, with an em dash — and arrows →")


def test_exempt_modules_are_only_the_documented_ones() -> None:
    assert _may_hold_chinese(ROOT / "dialogs" / "messages.py")
    assert _may_hold_chinese(ROOT / "dialogs" / "rules_tables.py")
    assert _may_hold_chinese(ROOT / "templates" / "anything.py")
    assert not _may_hold_chinese(ROOT / "dialogs" / "engine.py")
    assert not _may_hold_chinese(ROOT / "bot" / "messages.py")
    assert not _may_hold_chinese(ROOT / "storage" / "tables.py")


# --- the form is the only way into the domain ---------------------------------------------------
DECLARATION = "dialogs.report_2021"
FACTORY = "form_2021"
"""The one name of the 2021 declaration other modules may import: they get the form from the
composition root (or this factory) and read tables, keys and roles from the `Form` object."""
PENDING_DECLARATION_IMPORTS = {
    # Pending move of the importer into its own package (issue 11 item 5); it switches to the
    # `Form` API there. Remove this exemption with the move.
    "templates/importer.py",
}


def _declaration_names(path: Path) -> set[str]:
    """Names a module takes from the 2021 declaration (a module import counts as "*")."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == DECLARATION:
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "dialogs":
            names.update("*" for alias in node.names if alias.name == "report_2021")
        elif isinstance(node, ast.Import):
            names.update("*" for alias in node.names if alias.name == DECLARATION)
    return names


def _domain_modules() -> list[Path]:
    return [
        path
        for _, path in _all_modules()
        if path.relative_to(ROOT).as_posix() not in {"dialogs/report_2021.py", *PENDING_DECLARATION_IMPORTS}
    ]


@pytest.mark.parametrize("path", _domain_modules(), ids=[str(p.relative_to(ROOT)) for p in _domain_modules()])
def test_only_the_declaration_names_the_2021_form(path: Path) -> None:
    """Constants, keys and helpers of the 2021 form stay in its declaration; others read the Form."""
    assert _declaration_names(path) <= {FACTORY}


def test_the_declaration_reader_sees_every_way_of_importing_it(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text(
        "from dialogs.report_2021 import form_2021, T3_ROWS\n"
        "import dialogs.report_2021\n"
        "def f():\n"
        "    from dialogs import report_2021\n",
        encoding="utf-8",
    )
    assert _declaration_names(module) == {"form_2021", "T3_ROWS", "*"}
    assert not PENDING_DECLARATION_IMPORTS - {p.relative_to(ROOT).as_posix() for _, p in _all_modules()}
