"""The GUI tests act as the facilitator does: a key or a click on the widget, never a call of the
method behind a button, menu entry or shortcut (that would pass while the button is greyed out,
hidden, or wired to something else). A file dialog's answer may be patched; the click may not."""

from __future__ import annotations

import ast
from pathlib import Path

import consensus_desktop

GUI = Path(consensus_desktop.__file__).parent / "gui"
TESTS = Path(__file__).parent
# wired with a signal rather than a slot argument, yet a user action all the same
ALSO = {"open_session", "new_plenary", "import_file", "export_ballots", "import_ballots"}
SLOT_TAKERS = {"on_press", "menu_entry", "add_action", "QShortcut", "partial"}
PROGRAMMATIC = {"click", "trigger", "animateClick"}  # a press without an event
# names the app's handlers share with ordinary calls: a window or store closed at a test's end
# (as the app is quit), a thread started, ``style.zoom()`` read back
GENERIC = {"close", "start", "zoom"}


def user_actions(root: Path = GUI) -> set[str]:
    """The handlers of buttons, menu entries and shortcuts in the app: ``self.x`` handed to
    ``on_press``/``menu_entry``/``add_action``/``QShortcut``, or listed beside a label in a table
    of ``("text", self.x)`` rows."""
    names = set(ALSO)
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name not in SLOT_TAKERS:
                    continue
                args = node.args
            elif isinstance(node, ast.Tuple) and any(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
            ):
                args = node.elts
            else:
                continue
            for arg in args:
                if (
                    isinstance(arg, ast.Attribute)
                    and isinstance(arg.value, ast.Name)
                    and arg.value.id == "self"
                ):
                    names.add(arg.attr)
    return names


def direct_calls(path: Path, actions: set[str], root: Path = TESTS) -> list[str]:
    """``x.save_report(...)`` and the like, and ``button.click()``/``action.trigger()``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in (actions | PROGRAMMATIC) - GENERIC
        ):
            found.append(f"{path.relative_to(root)}:{node.lineno} .{node.func.attr}()")
    return found


def test_the_app_has_the_user_actions_the_check_looks_for() -> None:
    actions = user_actions()
    expected = {"save_report", "export_csv", "correct", "confirm", "import_file", "use_selected"}
    assert expected <= actions, expected - actions


def test_no_gui_test_calls_a_user_action_directly() -> None:
    actions = user_actions()
    found = [hit for path in sorted(TESTS.glob("*.py")) for hit in direct_calls(path, actions)]
    assert found == [], "press the key or click the button instead: " + ", ".join(found)


def test_the_check_finds_a_direct_call(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "results.save_report(path)\nwin.screens['start'].import_file('x')\nb.click()\nok(b)\n"
    )
    assert direct_calls(bad, user_actions(), tmp_path) == [
        "bad.py:1 .save_report()",
        "bad.py:2 .import_file()",
        "bad.py:3 .click()",
    ]
