"""The package boundaries of STYLE.md §1 and where Chinese text may live, read from the source."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "dialogs", "importer", "storage", "templates")

# STYLE.md §1: package → top-level modules it must never import.
NEVER_IMPORTS: dict[str, frozenset[str]] = {
    "dialogs": frozenset(
        {"telegram", "sqlmodel", "sqlalchemy", "jinja2", "bot", "importer", "storage", "templates"}
    ),
    # The importer reads documents (bs4) into answers keyed like the form (dialogs); it stores
    # nothing and renders nothing.
    "importer": frozenset({"telegram", "sqlmodel", "sqlalchemy", "jinja2", "bot", "storage", "templates"}),
    "templates": frozenset({"telegram", "bot", "importer", "storage"}),
    "storage": frozenset({"telegram", "bot", "importer", "templates"}),
}

# CJK ideographs, kana, bopomofo, CJK symbols and punctuation, full-width forms.
CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)
CJK_SCANNED = ("bot", "storage", "dialogs", "importer")


def _may_hold_chinese(path: Path) -> bool:
    """Messages, the form declaration, rule messages, sentence templates, and the readers of
    Chinese text whose patterns are Chinese vocabulary (command words, numbers as people type
    them, numbers as reports write them, the headings, labels and page chrome of a published
    report)."""
    relative = path.relative_to(ROOT)
    if relative.parts[0] == "templates":
        return True
    if relative.parts[0] == "importer":
        return path.name.startswith("messages") or path.name in {
            "lines.py",
            "front.py",
            "sections.py",
            "tables.py",
        }
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
    assert _may_hold_chinese(ROOT / "importer" / "messages.py")
    assert _may_hold_chinese(ROOT / "importer" / "tables.py")
    assert not _may_hold_chinese(ROOT / "importer" / "sniff.py")
    assert not _may_hold_chinese(ROOT / "importer" / "__init__.py")


def _names_and_calls(path: Path) -> tuple[set[str], list[str], list[str]]:
    """Names used, attribute calls (``x.send_message(...)`` → ``send_message``), and the keyword
    or dict-key writes of ``unreachable_since`` with anything but None."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    calls: list[str] = []
    unreachable: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[-1])
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            calls.append(node.func.attr)
        is_none = (
            isinstance(node, ast.keyword)
            and isinstance(node.value, ast.Constant)
            and node.value.value is None
        )
        if isinstance(node, ast.keyword) and node.arg == "unreachable_since" and not is_none:
            unreachable.append(f"{path.name}:{node.value.lineno}")
        if isinstance(node, ast.Dict):
            for key in node.keys:
                if isinstance(key, ast.Constant) and key.value == "unreachable_since":
                    unreachable.append(f"{path.name}:{key.lineno}")
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr == "unreachable_since":
                    unreachable.append(f"{path.name}:{target.lineno}")
    return names, calls, unreachable


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_only_the_outbox_sends_unprompted_messages() -> None:
    """Flood control (429) and refusals (403) are told apart in one module, the Telegram side of the
    outbox; only the outbox worker calls a Sender; the only other Telegram sends are replies to the
    person who just wrote (bot/telegram_handlers.py)."""
    flood_errors: set[str] = set()
    sender_calls: set[str] = set()
    message_sends: set[str] = set()
    pacers: set[str] = set()
    for path in _modules("bot"):
        names, calls, _ = _names_and_calls(path)
        if names & {"RetryAfter", "Forbidden"}:
            flood_errors.add(_relative(path))
        if "send" in calls:
            sender_calls.add(_relative(path))
        if {"send_message", "send_document", "copy_message", "forward_message"} & set(calls):
            message_sends.add(_relative(path))
        if "Pacer" in names:
            pacers.add(_relative(path))
    assert flood_errors == {"bot/telegram_outbox.py"}
    assert sender_calls == {"bot/services/outbox.py"}
    assert pacers <= {"bot/services/outbox.py", "bot/pacing.py"}
    # Replies (send_text, the submitter's documents, the export, the apology) and the outbox's Sender.
    assert message_sends == {
        "bot/telegram_handlers.py",
        "bot/telegram_coordinator.py",
        "bot/telegram_outbox.py",
    }


def test_only_the_outbox_marks_people_unreachable() -> None:
    marking = {
        _relative(path): found
        for package in ("bot", "storage")
        for path in _modules(package)
        if (found := _names_and_calls(path)[2])
    }
    assert list(marking) == ["storage/outbox.py"], marking


def test_the_outbox_checks_see_a_second_sender(tmp_path: Path) -> None:
    """The reader behind the two tests above notices each way of going around the outbox."""
    module = tmp_path / "sneaky.py"
    module.write_text(
        "from telegram.error import RetryAfter\n"
        "async def f(bot, person, session):\n"
        "    await bot.send_message(1, 'x')\n"
        "    person.unreachable_since = now()\n"
        "    await session.exec(update(Person).values(unreachable_since=now()))\n"
        "    values = {'unreachable_since': now()}\n"
        "    cleared = {'x': None}\n",
        encoding="utf-8",
    )
    names, calls, unreachable = _names_and_calls(module)
    assert "RetryAfter" in names
    assert "send_message" in calls
    assert sorted(unreachable) == ["sneaky.py:4", "sneaky.py:5", "sneaky.py:6"]


# --- the form is the only way into the domain ---------------------------------------------------
DECLARATION = "dialogs.report_2021"
FACTORY = "form_2021"
"""The one name of the 2021 declaration other modules may import: they get the form from the
composition root (or this factory) and read tables, keys and roles from the `Form` object."""


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
        path for _, path in _all_modules() if path.relative_to(ROOT).as_posix() != "dialogs/report_2021.py"
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
