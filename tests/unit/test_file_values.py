"""Values of a session file the app did not write: each refused with one sentence naming the table,
row and column, before any of the app's code reads them (store/file_values.py)."""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from pathlib import Path

import pytest
from test_store import make_session

from consensus_desktop.labels import label_problem
from consensus_desktop.session.values import Settings
from consensus_desktop.store.file_values import SETTINGS_RULES
from consensus_desktop.store.foreign import RefusedFile
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.store.transfer import export_session, import_session_file


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("values")
    store = SessionStore(folder / "lib.sqlite")
    make_session(store, "Values")
    out = export_session(store.db, 1, folder / "values.sqlite")
    store.close()
    return out


def _columns(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not r[0].startswith(("sqlite_", "_migrations")) and r[0] != "meta"
        ]
        return [
            (t, r[1]) for t in tables for r in conn.execute(f"PRAGMA table_info('{t}')") if r[1]
        ]
    finally:
        conn.close()


def test_bytes_in_any_column_are_refused_by_name(export: Path, tmp_path: Path) -> None:
    """The fuzz test's failure (a byte string in a column made the import raise TypeError),
    tried for every column of every table: one sentence naming the file, table and column."""
    tried = 0
    for table, column in _columns(export):
        victim = tmp_path / f"{table}-{column}.sqlite"
        shutil.copy(export, victim)
        conn = sqlite3.connect(victim)
        try:
            rows = conn.execute(f"UPDATE [{table}] SET [{column}] = x'00'").rowcount
            conn.commit()
        except sqlite3.Error:
            rows = 0  # a row id, or the append-only event log: no byte string gets in
        finally:
            conn.close()
        if rows == 0:
            continue
        tried += 1
        library = SessionStore(tmp_path / "library.sqlite")
        try:
            with pytest.raises(RefusedFile) as refused:
                import_session_file(victim, library.db)
        finally:
            library.close()
        message = str(refused.value)
        assert "\n" not in message
        assert victim.name in message, message
        assert f"table {table!r}" in message and f"{column} holds binary data" in message
    assert tried > 50


def test_settings_rules_cover_every_setting_the_app_reads() -> None:
    assert set(SETTINGS_RULES) == {f.name for f in dataclasses.fields(Settings)}
    defaults = Settings().to_json()
    for key, (ok, _) in SETTINGS_RULES.items():
        assert ok(defaults[key]), key  # what the app writes passes its own check


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Zoë", None),
        ("O’Brien", None),
        ("Ana\u202e", "U+202E"),
        ("Ben\x00", "U+0000"),
        ("Cai\u200b", "U+200B"),
        ("Dee\n", "U+000A"),
    ],
)
def test_label_problem(text: str, problem: str | None) -> None:
    found = label_problem(text)
    assert (found is None) if problem is None else (found is not None and problem in found)
