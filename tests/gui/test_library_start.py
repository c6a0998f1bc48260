"""The app starts with a damaged or newer library: it says what is wrong, keeps the file, and
offers a fresh library (the dialog is replaced by a recorder here)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from drive import close_error_dialog

from consensus_desktop.gui.library_start import open_library
from consensus_desktop.store.schema import SCHEMA_VERSION
from consensus_desktop.store.session_store import SessionStore


class Recorder:
    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked: list[tuple[str, str | None]] = []

    def __call__(self, problem: str, offer: str | None) -> bool:
        self.asked.append((problem, offer))
        return self.answer


def _damaged(path: Path) -> None:
    store = SessionStore(path)
    store.create_session("Precious")
    store.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _newer(path: Path) -> None:
    store = SessionStore(path)
    store.create_session("From a newer app")
    store.db.execute(f"INSERT INTO _migrations VALUES ({SCHEMA_VERSION + 1}, 'future', 'x')")
    store.close()


def _not_sqlite(path: Path) -> None:
    path.write_text("my shopping list")


def _planted_trigger(path: Path) -> None:
    store = SessionStore(path)
    store.create_session("Precious")
    store.db.execute(
        "CREATE TRIGGER rename AFTER INSERT ON events BEGIN UPDATE sessions SET name = 'x'; END"
    )
    store.close()


@pytest.mark.parametrize(
    "make",
    [_damaged, _newer, _not_sqlite, _planted_trigger],
    ids=["damaged", "newer", "text", "trigger"],
)
def test_unusable_library_is_kept_and_a_fresh_one_offered(make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    library = tmp_path / "library.sqlite"
    make(library)
    original = library.read_bytes()

    refuse = Recorder(False)
    assert open_library(library, refuse) is None
    [(problem, offer)] = refuse.asked
    assert str(library) in problem and "Traceback" not in problem
    assert offer is not None and "nothing is deleted" in offer
    assert library.read_bytes() == original  # quitting changes nothing

    accept = Recorder(True)
    store = open_library(library, accept)
    assert store is not None
    try:
        assert store.sessions() == []  # a fresh library
        store.create_session("Today")
    finally:
        store.close()
    [kept] = [p for p in tmp_path.glob("library.unusable-*.sqlite")]
    assert kept.read_bytes() == original and kept.name in (accept.asked[0][1] or "")


def test_locked_library_is_reported_not_replaced(tmp_path: Path) -> None:
    library = tmp_path / "library.sqlite"
    SessionStore(library).close()
    holder = sqlite3.connect(library, isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        told = Recorder(True)
        assert open_library(library, told) is None
        [(problem, offer)] = told.asked
        assert "in use" in problem and offer is None
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not list(tmp_path.glob("library.unusable-*"))


def test_start_page_import_refuses_a_hostile_file_on_screen(
    window, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from drive import settle
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QFileDialog

    hostile = tmp_path / "hostile.sqlite"
    store = SessionStore(tmp_path / "elsewhere.sqlite")
    store.create_session("Theirs")
    store.close()
    from consensus_desktop.store.transfer import export_session

    mine = SessionStore(tmp_path / "elsewhere.sqlite")
    export_session(mine.db, 1, hostile)
    mine.close()
    conn = sqlite3.connect(hostile)
    conn.execute(
        "CREATE VIEW forever AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
        "SELECT x FROM n"
    )
    conn.close()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(hostile), ""))
    settle()
    QTest.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)  # Import… (Ctrl+O)
    title, text = close_error_dialog()
    assert title == "Could not import" and "hostile.sqlite contains a view, 'forever'" in text
    assert window.ctx.store.sessions() == []
