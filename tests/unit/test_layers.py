"""The layer contract: the core never imports the CLI or the GUI; the reward model never reads SQL
(session files reach it as rows, through ``store``). Checked on the source, so it runs anywhere."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "consensus_desktop"


def imports(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (at any depth: lazy imports count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(under: str = "") -> list[Path]:
    return sorted((PACKAGE / under).rglob("*.py"))


def test_core_imports_neither_cli_nor_gui() -> None:
    wrong = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in modules()
        if path.relative_to(PACKAGE).parts[0] not in {"cli", "gui", "__main__.py"}
        for name in imports(path)
        if name.startswith(("consensus_desktop.cli", "consensus_desktop.gui", "PySide6"))
    }
    assert wrong == set()


def test_gui_does_not_import_the_cli() -> None:
    wrong = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in modules("gui")
        for name in imports(path)
        if name.startswith("consensus_desktop.cli")
    }
    assert wrong == set()


def test_reward_reads_no_sql() -> None:
    wrong = set()
    for path in modules("reward"):
        text = path.read_text(encoding="utf-8")
        names = imports(path)
        if names & {"sqlite3", "sqlite_utils"} or any(
            word in text for word in ("SELECT ", "INSERT ", ".query(", ".execute(")
        ):
            wrong.add(str(path.relative_to(PACKAGE)))
    assert wrong == set()
