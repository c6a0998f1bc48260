"""A session file opened from a file manager (`consensus-desktop FILE.sqlite`, the .desktop
entry's %f) is imported into the library; a bad one gets the import's dialog, nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from consensus_desktop.cli.main import session_file_argument
from consensus_desktop.gui import dialogs
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.store.transfer import export_session


def test_only_a_lone_session_file_argument_opens_the_window_on_it() -> None:
    assert session_file_argument(["/home/a/Jury 3.sqlite"]) == "/home/a/Jury 3.sqlite"
    assert session_file_argument(["old.DB"]) == "old.DB"
    for argv in ([], ["--self-test"], ["session", "list"], ["run", "x.sqlite"], ["notes.txt"]):
        assert session_file_argument(argv) is None, argv


def test_a_session_file_from_the_file_manager_is_imported(
    window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = SessionStore(tmp_path / "other.sqlite")
    other.create_session("From the other laptop")
    exported = export_session(other.db, 1, tmp_path / "jury.sqlite")
    other.close()
    monkeypatch.setattr(dialogs, "show_error", lambda *a, **k: pytest.fail(f"a dialog: {a[1]}"))
    window.open_session_file(str(exported))
    assert [s.name for s in window.ctx.store.sessions()] == ["From the other laptop"]
    assert window.stack.currentWidget() is window.screens["start"]


def test_a_bad_file_from_the_file_manager_gets_one_dialog(
    window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "shopping.sqlite"
    bad.write_text("my shopping list")
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, exc, title="": shown.append(str(exc)))
    window.open_session_file(str(bad))
    assert len(shown) == 1 and "shopping.sqlite" in shown[0], shown
    assert window.ctx.store.sessions() == []
