"""The plenary in the app: tables' files in, candidates per table and person, ballots out and in.

Set ``CONSENSUS_SCREENSHOTS=DIR`` to keep the screenshots (200 participants) for a look.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from drive import (
    button,
    click,
    click_at,
    close_error_dialog,
    enter,
    focused,
    pass_round,
    rate_shortlist,
    settle,
    show,
    wait_until,
)
from fakes import FakeEngine, FakeReward
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

sys.path.insert(0, str(Path(__file__).parent.parent / "unit"))
from test_assembly_ballots import rate_on_table_laptop
from test_assembly_tables import make_table

from consensus_desktop.gui import dialogs
from consensus_desktop.gui.screens import plenary as plenary_screen


def new_plenary_keys(win: Any) -> None:
    """Session ▸ New plenary from table files… by its shortcut, Ctrl+Shift+P."""
    settle()
    QTest.keyClick(
        focused(),
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )


def open_plenary(win: Any, monkeypatch: pytest.MonkeyPatch, files: list[Path], name: str) -> Any:
    monkeypatch.setattr(plenary_screen, "pick_files", lambda *a: [str(f) for f in files])
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: name)
    new_plenary_keys(win)
    screen = win.screens["plenary"]
    wait_until(lambda: win.current is screen and screen.heatmap.topLevelItemCount() > 0)
    return screen


def rate_in_app(qtbot: Any, ballot: Path, library: Path) -> Path:
    """A table's laptop: import the ballot from the start page, rate it in the normal rating
    flow (keyboard), export the session."""
    from consensus_desktop.gui.engine_host import EngineHost
    from consensus_desktop.gui.main_window import MainWindow
    from consensus_desktop.store.session_store import SessionStore
    from consensus_desktop.store.transfer import export_session

    host = EngineHost()
    host.use(FakeEngine(), FakeReward())
    store = SessionStore(library)
    win = MainWindow(store=store, engine_host=host, load_model=False)
    qtbot.addWidget(win)
    show(qtbot, win)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(ballot), ""))
    click(button(win.screens["start"], "Import a session file…"))
    monkeypatch.undo()
    [row] = store.sessions()
    enter(win)  # the imported ballot is selected in the start page's list: Enter opens it
    assert win.current is win.screens["rating"]
    pass_round(win, rate_shortlist)
    out = library.with_name(f"rated-{ballot.name}")
    export_session(store.db, row.id, out)
    win.close()
    return out


def snap(win: Any, name: str) -> None:
    folder = os.environ.get("CONSENSUS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        win.grab().save(str(Path(folder) / f"{name}.png"))


def test_plenary_end_to_end_with_ballots(
    window: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tables = [
        make_table(tmp_path, "Table A", label="A"),
        make_table(tmp_path, "Table B", label="B", people=("Di", "Ed", "Flo")),
        make_table(tmp_path, "Table C", label="C", people=("Gus", "Hal", "Ida", "Jo")),
    ]
    # a bad set is refused with one sentence in a dialog, nothing recorded
    monkeypatch.setattr(plenary_screen, "pick_files", lambda *a: [str(tables[0])] * 2)
    new_plenary_keys(window)
    assert close_error_dialog() == (
        "Cannot start the plenary",
        "Table A.sqlite is given twice: give each table's file once.",
    )
    assert window.ctx.store.sessions() == []

    screen = open_plenary(window, monkeypatch, tables, "Town plenary")
    assert window.ctx.flow.step == "plenary"
    heat = screen.heatmap
    assert [heat.topLevelItem(i).text(0) for i in range(3)] == ["A (3)", "B (3)", "C (4)"]
    assert heat.topLevelItem(2).childCount() == 4
    assert heat.topLevelItem(2).child(0).text(0) == "C/Gus"
    assert heat.topLevelItem(0).text(1).startswith("min ")
    assert "Table B (3): Table B: cars out, buses in." in screen.tables_label.toPlainText()
    assert "worst-off table" in screen.candidates_label.toPlainText()

    ballots = tmp_path / "ballots"
    ballots.mkdir()
    monkeypatch.setattr(plenary_screen, "pick_folder", lambda *a: str(ballots))
    click(button(screen, "Export ballots…"))
    written = sorted(p.name for p in ballots.iterdir())
    assert written == ["ballot-A.sqlite", "ballot-B.sqlite", "ballot-C.sqlite"]
    rated = [
        rate_on_table_laptop(ballots / name, tmp_path / f"laptop-{name}", score)
        for name, score in zip(written[:2], (6, 5), strict=True)
    ]
    laptop_c = tmp_path / "laptop-c"
    laptop_c.mkdir()
    rated.append(rate_in_app(qtbot, ballots / written[2], laptop_c / "library.sqlite"))
    window.activateWindow()
    monkeypatch.setattr(plenary_screen, "pick_files", lambda *a: [str(f) for f in rated])
    click(button(screen, "Import rated ballots…"))
    assert "Schulze winner over all ballots" in screen.results_label.toPlainText()
    assert "A: mean 6.0" in screen.results_label.toPlainText()
    assert "C: mean" in screen.results_label.toPlainText()
    assert "C: mean nan" not in screen.results_label.toPlainText()  # rated in the app's own flow
    snap(window, "plenary-results")
    click(button(screen, "Import rated ballots…"))  # again: nothing new, same results
    assert "A: mean 6.0" in screen.results_label.toPlainText()
    assert not screen.error_label.isVisible()


def test_plenary_of_200_people_stays_readable(
    window: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    people = tuple(f"P{i:02d}" for i in range(10))
    files = [
        make_table(tmp_path, f"Table {k:02d}", label=f"T{k:02d}", people=people) for k in range(20)
    ]
    screen = open_plenary(window, monkeypatch, files, "Big plenary")
    assert screen.heatmap.topLevelItemCount() == 20
    assert sum(screen.heatmap.topLevelItem(i).childCount() for i in range(20)) == 200
    window.resize(1400, 900)
    snap(window, "plenary-200-collapsed")
    heat, table = screen.heatmap, screen.heatmap.topLevelItem(3)
    click_at(heat.viewport(), heat.visualItemRect(table).center())  # the fourth table's row
    QTest.keyClick(heat, Qt.Key.Key_Right)  # → opens it
    assert table.isExpanded()
    snap(window, "plenary-200-table-open")


@pytest.mark.parametrize("level", [1.5, 2.0])
def test_the_plenary_screen_fits_at_zoom(
    window: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, level: float
) -> None:
    from drive import zoom_to

    files = [make_table(tmp_path, f"Table {k}", label=f"T{k}") for k in range(3)]
    open_plenary(window, monkeypatch, files, "Zoomed plenary")
    window.resize(1280, 800)
    zoom_to(window, level)
    try:
        snap(window, f"zoom{round(level * 100)}-plenary")
        width = window.minimumSizeHint().width()
        print(f"plenary at {round(level * 100)}%: minimum width {width}")
        assert width <= 1280, f"the plenary screen at {level:.0%} needs {width} px"
    finally:
        zoom_to(window, 1.0)
