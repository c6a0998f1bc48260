"""`run --session`'s recording: one transaction, and a storage error loses no generated run."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from disks import fill, tmpfs
from run_results import synthetic_result

from consensus_desktop.session.recording import record_or_recover, record_run
from consensus_desktop.store.schema import SCHEMA_VERSION
from consensus_desktop.store.session_store import SessionStore

NAMES = ("Ann", "Ben", "Cy")


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in tables}
    finally:
        conn.close()


def recovered(message: str) -> dict[str, object]:
    match = re.search(r"kept in (\S+\.json)", message)
    assert match, message
    assert Path(match.group(1)).stat().st_mode & 0o777 == 0o600  # everyone's opinions: owner only
    data = json.loads(Path(match.group(1)).read_text(encoding="utf-8"))
    Path(match.group(1)).unlink()
    return data


def test_a_run_is_recorded_whole(tmp_path: Path) -> None:
    library = tmp_path / "library.sqlite"
    result = synthetic_result(5, NAMES)
    assert record_or_recover("T", result, library) is None
    record_run("T", result, library)  # a second run extends the session
    c = counts(library)
    assert (c["sessions"], c["generation_runs"], c["candidates"], c["predictions"]) == (
        1,
        2,
        10,
        30,
    )
    assert c["participants"] == 3 and c["selections"] == 2


def test_newer_library_keeps_the_run_and_says_so(tmp_path: Path) -> None:
    library = tmp_path / "library.sqlite"
    store = SessionStore(library)
    store.db.execute(f"INSERT INTO _migrations VALUES ({SCHEMA_VERSION + 1}, 'future', 'x')")
    store.close()
    before = library.read_bytes()
    message = record_or_recover("T", synthetic_result(4, NAMES), library)
    assert message is not None and "library.sqlite" in message and "newer version" in message
    data = recovered(message)
    assert data["session"] == "T" and len(data["run"]["candidates"]) == 4  # type: ignore[index]
    assert library.read_bytes() == before


def test_locked_library_keeps_the_run_and_says_so(tmp_path: Path) -> None:
    library = tmp_path / "library.sqlite"
    record_run("T", synthetic_result(2, NAMES), library)
    before = counts(library)
    holder = sqlite3.connect(library, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program is writing
    try:
        message = record_or_recover("T", synthetic_result(4, NAMES), library)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert message is not None and "locked by another program" in message
    assert len(recovered(message)["run"]["candidates"]) == 4  # type: ignore[index]
    assert counts(library) == before


def test_damaged_library_keeps_the_run_and_says_so(tmp_path: Path) -> None:
    library = tmp_path / "library.sqlite"
    record_run("T", synthetic_result(2, NAMES), library)
    library.write_bytes(library.read_bytes()[:3000])
    message = record_or_recover("T", synthetic_result(4, NAMES), library)
    assert message is not None and "damaged" in message and "library.sqlite" in message
    recovered(message)


@pytest.fixture()
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "tiny") as mount:
        yield mount


def test_full_disk_keeps_the_run_and_says_so(tiny_disk: Path) -> None:
    library = tiny_disk / "library.sqlite"
    record_run("T", synthetic_result(2, NAMES), library)
    before = counts(library)
    fill(tiny_disk)
    message = record_or_recover("T", synthetic_result(300, NAMES), library)
    assert message is not None and "is full" in message and "library.sqlite" in message, message
    assert len(recovered(message)["run"]["candidates"]) == 300  # type: ignore[index]
    (tiny_disk / "filler").unlink()
    assert counts(library) == before


def test_a_run_the_session_cannot_take_is_kept(tmp_path: Path) -> None:
    library = tmp_path / "library.sqlite"
    record_run("T", synthetic_result(2, ("ann", "Ben", "Cy")), library)
    message = record_or_recover("T", synthetic_result(3, NAMES), library)  # "Ann" vs "ann"
    assert message is not None and "already taken" in message
    assert len(recovered(message)["run"]["candidates"]) == 3  # type: ignore[index]
    assert counts(library)["generation_runs"] == 1
