"""Buttons and menu entries never hand Qt's extra arguments (the checked flag) to a handler."""

from __future__ import annotations

import ast
from pathlib import Path

import consensus_desktop

PACKAGE = Path(consensus_desktop.__file__).parent
HELPER = PACKAGE / "gui" / "signals.py"


def direct_connections(path: Path, root: Path = PACKAGE.parent) -> list[str]:
    """``x.clicked.connect(...)``, ``x.triggered.connect(...)`` and ``menu.addAction(text, f)``:
    each hands the checked flag to a handler that has a parameter for it."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        func = node.func
        if (
            func.attr == "connect"
            and isinstance(func.value, ast.Attribute)
            and func.value.attr in ("clicked", "triggered")
        ) or (func.attr == "addAction" and len(node.args) >= 2):
            found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_every_button_and_menu_entry_goes_through_on_press() -> None:
    found = [
        hit
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != HELPER
        for hit in direct_connections(path)
    ]
    assert found == [], "connect these with gui.signals.on_press / menu_entry: " + ", ".join(found)


def test_the_check_finds_a_direct_connection(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("button.clicked.connect(self.save_report)\nmenu.addAction('CSV', f)\n")
    assert direct_connections(bad, tmp_path) == ["bad.py:1", "bad.py:2"]
