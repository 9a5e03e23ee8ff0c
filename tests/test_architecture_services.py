"""Two rules of the service layer, read from the source: only dialogs/lifecycle.py decides what a
report's status means (nobody else compares one), and in bot/ only the services (and the
composition root that builds the Database) open database sessions or import storage's writers."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATUS_NAMES = frozenset({"Status", "ReportStatus"})
STATUS_VALUES = frozenset({"draft", "submitted", "returned", "accepted"})
STORAGE_WRITERS = frozenset({"storage.repositories", "storage.access", "storage.turn_store"})
SESSION_CALLS = frozenset({"session", "run_transaction"})
COMPOSITION_ROOT = frozenset({"bot/__main__.py"})


def _modules(*packages: str) -> list[Path]:
    return sorted(
        p for package in packages for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts
    )


def _status_operand(node: ast.expr) -> bool:
    if isinstance(node, ast.Attribute):
        inner = node.value
        if isinstance(inner, ast.Attribute) and node.attr == "value":  # Status.X.value
            return _status_operand(inner)
        return isinstance(inner, ast.Name) and inner.id in STATUS_NAMES
    if isinstance(node, ast.Constant):
        return node.value in STATUS_VALUES
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_status_operand(e) for e in node.elts)
    return False


def status_comparisons(path: Path) -> list[int]:
    """Lines comparing something with a report status (a member, its value or its string)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare) and any(_status_operand(o) for o in (node.left, *node.comparators))
    ]


def storage_reaches(path: Path) -> list[str]:
    """Session openings, transactions and imports of storage's writers or sqlalchemy in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                a.name for a in node.names if a.name in STORAGE_WRITERS or a.name.startswith("sqlalchemy")
            ]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            found += sorted(m for m in modules if m in STORAGE_WRITERS)
            if node.module.split(".")[0] == "sqlalchemy":
                found.append(node.module)
        elif isinstance(node, ast.Call):
            func = node.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else ""
            )
            if name in SESSION_CALLS and (name != "session" or isinstance(func, ast.Attribute)):
                found.append(f"{name}() at line {node.lineno}")
    return found


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_only_the_lifecycle_compares_report_statuses() -> None:
    found = {
        _relative(path): lines
        for path in _modules("bot", "dialogs", "storage")
        if _relative(path) != "dialogs/lifecycle.py" and (lines := status_comparisons(path))
    }
    assert found == {}


def test_in_bot_only_the_services_reach_storage() -> None:
    reaching = {
        _relative(path): found
        for path in _modules("bot")
        if path.parent.name != "services" and (found := storage_reaches(path))
    }
    assert set(reaching) - COMPOSITION_ROOT == set(), reaching


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_services_know_no_messaging_channel() -> None:
    """Every adapter (Telegram, terminal, CLI, a later channel) calls the same services, so they
    import neither a messaging library nor an adapter module."""
    adapters = {
        f"bot.{p.stem}" for p in (ROOT / "bot").glob("*.py") if p.stem.startswith(("telegram", "terminal"))
    }
    leaking = {
        _relative(path): sorted(
            m for m in _imported_modules(path) if m.split(".")[0] == "telegram" or m in adapters
        )
        for path in _modules("bot/services")
    }
    assert {k: v for k, v in leaking.items() if v} == {}


def test_the_readers_see_each_way_around_the_rules(tmp_path: Path) -> None:
    module = tmp_path / "sneaky.py"
    module.write_text(
        "import sqlalchemy\n"
        "from storage import repositories as repo\n"
        "from storage.turn_store import save_turn\n"
        "async def f(db, report, status):\n"
        "    if report.status == ReportStatus.SUBMITTED:\n"
        "        pass\n"
        "    if status in (Status.DRAFT, Status.RETURNED):\n"
        "        pass\n"
        "    ok = report.status != 'accepted' or status is Status.ACCEPTED.value\n"
        "    async with db.session() as session:\n"
        "        await run_transaction(db, f)\n",
        encoding="utf-8",
    )
    assert status_comparisons(module) == [5, 7, 9, 9]
    assert storage_reaches(module) == [
        "sqlalchemy",
        "storage.repositories",
        "storage.turn_store",
        "session() at line 10",
        "run_transaction() at line 11",
    ]
