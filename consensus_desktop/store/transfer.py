"""Session files: export one session to a standalone SQLite file, import it back, merge many.

One routine, :func:`merge_session`, serves all three: it copies a session's rows from one database
into another with the app's own statements, giving every new row a fresh id in the target and
rewriting the foreign keys, so files from several laptops never clash. A session is identified by
its uuid; when the target already holds it, the two copies are compared row by row (a row is
recognised by its parents and its natural key, see ``NATURAL_KEYS``) and what the incoming copy
has that the target lacks (ratings, critiques, later steps) is added. A row both copies hold but
with different values is a conflict: it is reported and the target's value is kept.

Foreign files are read through :mod:`consensus_desktop.store.foreign` (read-only, schema-checked,
time-limited); every file written goes through :mod:`consensus_desktop.safe_files`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from consensus_desktop import __version__
from consensus_desktop.safe_files import check_destination
from consensus_desktop.store.database import (
    SessionFileError,
    memory_database,
    now,
    open_database,
    transaction,
    write_database,
)
from consensus_desktop.store.foreign import TIME_LIMIT_S, read_session_file
from consensus_desktop.store.schema import SCHEMA_VERSION, SESSION_TABLES

# What recognises a row in another copy of the same session, besides its parent rows. Rows with
# the same key in one database are told apart by their order.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "sessions": ("uuid",),
    "questions": ("position",),
    "participants": ("uuid",),
    "baseline_ratings": (),
    "opinions": ("created_at",),
    "generation_runs": ("created_at",),
    "candidates": ("position",),
    "rejected_samples": ("seed",),
    "predictions": ("reward_version",),
    "selections": ("created_at",),
    "ratings": (),
    "rankings": (),
    "critiques": (),
    "events": ("at", "kind", "payload"),
}
_SESSION_STATE = ("updated_at", "current_step")  # taken from whichever copy is newer
# SQLite header field application_id of an exported session file: "CDSE" (see
# build_scripts/installers/linux/consensus-desktop-mime.xml). Files without it import all the same.
SESSION_APPLICATION_ID = 0x43445345


@dataclass(frozen=True)
class ImportResult:
    uuid: str
    name: str
    session_id: int  # the session's id in the target
    new: bool  # the target did not have this session
    added: dict[str, int] = field(default_factory=dict)  # rows added (or "undone …"), by table
    conflicts: tuple[str, ...] = ()

    @property
    def skipped(self) -> bool:
        """Already there with everything the incoming copy has."""
        return not self.new and not self.added and not self.conflicts

    def describe(self) -> str:
        head = f"{self.name} ({self.uuid[:8]}): "
        if self.new:
            head += "imported"
        elif self.added:
            parts = ", ".join(f"{n} {t}" for t, n in self.added.items() if t != "sessions")
            head += f"already there; brought up to date ({parts})"
        else:
            head += "already there, nothing new in the file"
        for conflict in self.conflicts:
            head += f"\n  conflict: {conflict}"
        return head


def session_rows(db: sqlite_utils.Database, session_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row that belongs to one session, table by table, parents first, each by id."""
    ids: dict[str, set[int]] = {"sessions": {session_id}}
    out: dict[str, list[dict[str, Any]]] = {}
    for table, fks in SESSION_TABLES:
        if table == "sessions":
            rows = list(db.query("SELECT * FROM sessions WHERE id = ?", [session_id]))
        else:
            # a row belongs to the session when its first listed parent does
            col, parent = next(iter(fks.items()))
            parent_ids = sorted(ids.get(parent, set()))
            rows = []
            if parent_ids:
                marks = ",".join("?" * len(parent_ids))
                rows = list(
                    db.query(
                        f"SELECT * FROM [{table}] WHERE [{col}] IN ({marks}) ORDER BY id",
                        parent_ids,
                    )
                )
        out[table] = rows
        ids[table] = {r["id"] for r in rows}
    return out


def _keys(rows: dict[str, list[dict[str, Any]]]) -> dict[str, dict[int, tuple[Any, ...]]]:
    """Each row's identity independent of ids: its parents' keys, natural key, occurrence."""
    keys: dict[str, dict[int, tuple[Any, ...]]] = {}
    for table, fks in SESSION_TABLES:
        keys[table] = {}
        seen: Counter[tuple[Any, ...]] = Counter()
        for row in rows[table]:
            parents = tuple(keys[p].get(row[c]) for c, p in fks.items())
            base = (parents, tuple(row[c] for c in NATURAL_KEYS[table]))
            keys[table][row["id"]] = (*base, seen[base])
            seen[base] += 1
    return keys


def merge_session(
    src: sqlite_utils.Database,
    session_id: int,
    dst: sqlite_utils.Database,
) -> ImportResult:
    """Add session ``session_id`` of ``src`` to ``dst``, or what ``dst``'s copy of it lacks."""
    incoming = session_rows(src, session_id)
    session = incoming["sessions"][0]
    found = dst.execute("SELECT id FROM sessions WHERE uuid = ?", [session["uuid"]]).fetchone()
    current = session_rows(dst, found[0]) if found else {t: [] for t, _ in SESSION_TABLES}
    in_keys, cur_keys = _keys(incoming), _keys(current)
    dst_columns = {t: set(dst.table(t).columns_dict) for t, _ in SESSION_TABLES}
    target_id: dict[str, dict[int, int]] = {t: {} for t, _ in SESSION_TABLES}
    added: Counter[str] = Counter()
    conflicts: list[str] = []
    undone = _undone(incoming) | _undone(current)
    skipped: dict[str, set[int]] = {t: set() for t, _ in SESSION_TABLES}
    removed: Counter[str] = Counter()
    with transaction(dst.conn):
        for table, fks in reversed(SESSION_TABLES):  # undone in the file: undone here too
            for row in reversed(current[table]):
                if _signature(table, fks, row) in undone:
                    dst.execute(f"DELETE FROM [{table}] WHERE id = ?", [row["id"]])
                    removed[table] += 1
        for table, fks in SESSION_TABLES:
            mine = {cur_keys[table][r["id"]]: r for r in current[table]}
            for row in incoming[table]:
                orphan = any(row[c] in skipped[p] for c, p in fks.items())
                if orphan or _signature(table, fks, row) in undone:
                    skipped[table].add(row["id"])  # undone here: not brought back
                    continue
                if table == "rankings":  # candidate ids inside its JSON: this copy's ids
                    row = _ranking_here(session, row, target_id["candidates"])
                match = mine.get(in_keys[table][row["id"]])
                if match is not None:
                    target_id[table][row["id"]] = match["id"]
                    if table == "sessions":
                        _newer_state(dst, row, match)
                    else:
                        conflicts.extend(_conflict(table, fks, row, match))
                    continue
                values = {k: v for k, v in row.items() if k != "id" and k in dst_columns[table]}
                for col, parent in fks.items():
                    if values.get(col) is not None:
                        if values[col] not in target_id[parent]:
                            raise SessionFileError(_broken_reference(session, table, row, col))
                        values[col] = target_id[parent][values[col]]
                cols = ",".join(f"[{c}]" for c in values)
                marks = ",".join("?" * len(values))
                cur = dst.conn.execute(
                    f"INSERT INTO [{table}] ({cols}) VALUES ({marks})", list(values.values())
                )
                assert cur.lastrowid is not None
                target_id[table][row["id"]] = cur.lastrowid
                added[table] += 1
    sid = target_id["sessions"][session_id]
    name = current["sessions"][0]["name"] if found else session["name"]
    if found:
        added.pop("sessions", None)
    changes = dict(added)
    changes.update({f"undone {t}": n for t, n in removed.items()})
    return ImportResult(session["uuid"], name, sid, not found, changes, tuple(conflicts))


def _ranking_here(
    session: dict[str, Any], row: dict[str, Any], candidate_ids: dict[int, int]
) -> dict[str, Any]:
    """A rankings row whose JSON names candidates by the ids they have in the target (a ranking
    is {candidate id: rank}; ids differ between files, so copied as is it would rank others)."""
    ranks = json.loads(row["ranking"])
    moved = {}
    for key, rank in ranks.items():
        if int(key) not in candidate_ids:
            raise SessionFileError(
                f"Session {session['name']!r}: ranking row {row['id']} ranks candidate {key}, "
                "which is not part of the session, so the file was refused."
            )
        moved[str(candidate_ids[int(key)])] = rank
    return {**row, "ranking": json.dumps(moved, ensure_ascii=False, sort_keys=True)}


def _broken_reference(session: dict[str, Any], table: str, row: dict[str, Any], column: str) -> str:
    """Why a row's reference cannot be followed: it points ahead (the app only ever refers to
    rows written before) or outside the session."""
    parent = dict(SESSION_TABLES)[table][column]
    where = f"Session {session['name']!r}: row {row['id']} of {table} refers to {parent} row"
    if parent == table and row[column] > row["id"]:
        return (
            f"{where} {row[column]}, which comes after it; the app never writes that, so the "
            "file was refused."
        )
    return f"{where} {row[column]}, which is not part of the session, so the file was refused."


def _signature(table: str, fks: dict[str, str], row: dict[str, Any]) -> tuple[Any, ...]:
    """A row without its ids (they differ between databases): what an undo event records."""
    values = sorted((k, json.dumps(v)) for k, v in row.items() if k != "id" and k not in fks)
    return (table, *values)


def _undone(rows: dict[str, list[dict[str, Any]]]) -> set[tuple[Any, ...]]:
    """Rows the facilitator undid in this copy, from the undo events of its event log."""
    fks = dict(SESSION_TABLES)
    out: set[tuple[Any, ...]] = set()
    for event in rows["events"]:
        if event["kind"] != "undo":
            continue
        try:
            removed = json.loads(event["payload"] or "{}").get("removed", {})
            for table, items in removed.items():
                out.update(_signature(table, fks[table], item) for item in items)
        except (ValueError, AttributeError, KeyError, TypeError):
            continue  # an event this version does not understand changes nothing
    return out


def _newer_state(dst: sqlite_utils.Database, row: dict[str, Any], mine: dict[str, Any]) -> None:
    if (row.get("updated_at") or "") > (mine.get("updated_at") or ""):
        state = {c: row[c] for c in _SESSION_STATE if c in row}
        sets = ",".join(f"[{c}] = ?" for c in state)
        dst.execute(f"UPDATE sessions SET {sets} WHERE id = ?", [*state.values(), mine["id"]])


def _conflict(
    table: str, fks: dict[str, str], row: dict[str, Any], mine: dict[str, Any]
) -> list[str]:
    skip = {"id", *fks, *NATURAL_KEYS[table]}
    differ = [c for c in row if c not in skip and c in mine and row[c] != mine[c]]
    if not differ:
        return []
    what = ", ".join(f"{c} {mine[c]!r} here, {row[c]!r} in the file" for c in differ)
    return [f"{table} row {mine['id']} differs ({what}); this library's value was kept"]


def export_session(
    src: sqlite_utils.Database, session_id: int, target: Path, force: bool = False
) -> Path:
    """Write one session to ``target`` as a standalone, self-describing SQLite file."""
    target = check_destination(target, force)
    out = memory_database()
    try:
        merge_session(src, session_id, out)
        meta = {
            "kind": "session-export",
            "schema_version": str(SCHEMA_VERSION),
            "app_version": __version__,
            "exported_at": now(),
            "session_uuid": src.table("sessions").get(session_id)["uuid"],
        }
        for key, value in meta.items():
            out.table("meta").upsert({"key": key, "value": value}, pk="key")
        # the header says "session file" to file managers (the installers' MIME type reads it)
        out.execute(f"PRAGMA application_id = {SESSION_APPLICATION_ID}")
        return write_database(out, target)
    finally:
        out.conn.close()


def _merge_all(src: sqlite_utils.Database, dst: sqlite_utils.Database) -> list[ImportResult]:
    ids = [r[0] for r in src.execute("SELECT id FROM sessions ORDER BY id").fetchall()]
    return [merge_session(src, sid, dst) for sid in ids]


def import_session_file(
    path: Path, dst: sqlite_utils.Database, time_limit: float = TIME_LIMIT_S
) -> list[ImportResult]:
    """Import every session of a session file (or of another library) into ``dst``, in one
    transaction: all of it or, on any error, nothing."""
    src = read_session_file(Path(path), time_limit)
    try:
        with transaction(dst.conn):
            return _merge_all(src, dst)
    finally:
        src.conn.close()


def merge_files(
    paths: list[Path], into: Path, time_limit: float = TIME_LIMIT_S
) -> list[ImportResult]:
    """Combine several session files (one per laptop or table) into one database.

    Every file is read and checked before anything is written; ``into`` is then written in one
    transaction (an existing database) or built whole and renamed into place (a new file).
    """
    into = Path(into)
    # a new file: nothing there yet; an existing one may be added to, but never the live library
    check_destination(into, force=into.exists())
    for p in paths:
        if into.exists() and Path(p).exists() and os.path.samefile(p, into):
            raise SessionFileError(f"{into} is one of the files being merged; choose another.")
    sources: list[sqlite_utils.Database] = []
    try:
        for p in paths:
            sources.append(read_session_file(Path(p), time_limit))
        existing = into.exists() and into.stat().st_size > 0
        if existing:  # the destination gets the same checks before it is opened for writing
            read_session_file(into, time_limit).conn.close()
        journal = _journal_mode(into) if existing else ""
        dst = open_database(into) if existing else memory_database()
        try:
            results: list[ImportResult] = []
            with transaction(dst.conn):
                for src in sources:
                    results.extend(_merge_all(src, dst))
                dst.table("meta").upsert({"key": "merged_at", "value": now()}, pk="key")
                if not existing:
                    dst.table("meta").upsert({"key": "kind", "value": "library"}, pk="key")
            if not existing:
                write_database(dst, check_destination(into, force=True))
            return results
        finally:
            if journal and journal != "wal":  # as it was: no -wal/-shm left beside it
                dst.execute(f"PRAGMA journal_mode={journal}")
            dst.conn.close()
    finally:
        for src in sources:
            src.conn.close()


def _journal_mode(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.5)
    try:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    finally:
        conn.close()


def timestamped_name(name: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name).strip("-") or "session"
    return f"{safe}-{datetime.now(UTC).strftime('%Y%m%d-%H%M')}.sqlite"
