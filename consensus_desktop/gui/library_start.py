"""Opening the library at start-up, with a way out when the file on disk cannot be used.

A damaged or newer library is never deleted and never a traceback: the facilitator is told what is
wrong and offered a fresh library, the old file kept beside it under another name.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from consensus_desktop import paths
from consensus_desktop.store.database import FileLocked, SessionFileError
from consensus_desktop.store.session_store import SessionStore

# ask(problem, offer) -> True to start with a fresh library; None as offer: only tell, then quit.
Ask = Callable[[str, str | None], bool]


def aside_name(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return path.with_name(f"{path.stem}.unusable-{stamp}{path.suffix}")


def set_aside(path: Path, kept: Path) -> None:
    """Rename a library that cannot be used (with its -wal/-shm files); it is never deleted."""
    for suffix in ("-wal", "-shm"):
        side = Path(str(path) + suffix)
        if side.exists():
            side.rename(Path(str(kept) + suffix))
    path.rename(kept)


def open_library(path: Path | None = None, ask: Ask | None = None) -> SessionStore | None:
    """The library, or (if the facilitator agrees) a fresh one with the old file kept aside."""
    path = Path(path) if path else paths.library_db_path()
    ask = ask or ask_with_dialog
    try:
        return SessionStore(path)
    except (SessionFileError, sqlite3.Error, OSError) as exc:
        problem = f"The session library {path} cannot be opened: {exc}"
        if isinstance(exc, FileLocked):  # another window has it: a fresh library would hide it
            ask(problem, None)
            return None
    kept = aside_name(path)
    offer = (
        "Start with a fresh, empty library? The current file is kept, renamed to "
        f"{kept.name} in the same folder; nothing is deleted."
    )
    if not ask(problem, offer):
        return None
    try:
        set_aside(path, kept)
        return SessionStore(path)
    except (SessionFileError, sqlite3.Error, OSError) as exc:
        ask(f"A fresh library could not be made at {path}: {exc}", None)
        return None


def ask_with_dialog(problem: str, offer: str | None) -> bool:
    box = QMessageBox()
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Consensus Desktop")
    box.setText(problem)
    if offer is None:
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.exec()
        return False
    box.setInformativeText(offer)
    fresh = box.addButton("Start with a fresh library", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(fresh)
    box.exec()
    return box.clickedButton() is fresh
