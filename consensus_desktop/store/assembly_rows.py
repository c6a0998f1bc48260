"""The rows an assembly reads from table files, ballot files and its plenary (see assembly/)."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from consensus_desktop.store.session_store import SessionStore


def sessions_with_settings(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every session of a file: id, uuid, name and its settings parsed."""
    return [
        {**r, "settings": json.loads(r["settings"] or "{}")}
        for r in db.query("SELECT id, uuid, name, settings FROM sessions ORDER BY id")
    ]


def latest_choice(db: sqlite_utils.Database, session_id: int) -> dict[str, Any] | None:
    """The session's latest chosen statement, with its run and question."""
    rows = list(
        db.query(
            "SELECT s.candidate_id, c.text, c.run_id, q.text AS question, q.id AS question_id "
            "FROM selections s JOIN candidates c ON c.id = s.candidate_id "
            "JOIN questions q ON q.id = s.question_id WHERE s.session_id = ? "
            "ORDER BY s.id DESC LIMIT 1",
            [session_id],
        )
    )
    return rows[0] if rows else None


def run_candidates(db: sqlite_utils.Database, run_id: int | None) -> list[dict[str, Any]]:
    """A run's candidates (id, text) in the order written."""
    return list(
        db.query("SELECT id, text FROM candidates WHERE run_id = ? ORDER BY position", [run_id])
    )


def ratings_of(db: sqlite_utils.Database, candidate_id: int) -> dict[int, int]:
    """participant id -> agreement given to one statement (the latest counts)."""
    return {
        r["participant_id"]: r["agreement"]
        for r in db.query(
            "SELECT participant_id, agreement FROM ratings WHERE candidate_id = ? ORDER BY id",
            [candidate_id],
        )
    }


def ballot_rows(db: sqlite_utils.Database, session_id: int) -> dict[str, list[dict[str, Any]]]:
    """A ballot session's ratings (with pseudonym and statement text), its statements' texts by
    id, and its rankings (with pseudonym)."""
    return {
        "ratings": list(
            db.query(
                "SELECT p.pseudonym, c.text, r.* FROM ratings r "
                "JOIN participants p ON p.id = r.participant_id "
                "JOIN candidates c ON c.id = r.candidate_id WHERE p.session_id = ? ORDER BY r.id",
                [session_id],
            )
        ),
        "statements": list(
            db.query(
                "SELECT c.id, c.text FROM candidates c JOIN generation_runs g ON g.id = c.run_id "
                "WHERE g.session_id = ?",
                [session_id],
            )
        ),
        "rankings": list(
            db.query(
                "SELECT p.pseudonym, k.ranking, k.created_at FROM rankings k "
                "JOIN participants p ON p.id = k.participant_id WHERE p.session_id = ? "
                "ORDER BY k.id",
                [session_id],
            )
        ),
    }


def insert_once(store: SessionStore, table: str, row: dict[str, Any]) -> int:
    """Insert ``row`` unless the same row is there already (a ballot read twice); 1 if added."""
    where = " AND ".join(f"[{k}] IS ?" for k in row)
    if store.db.execute(f"SELECT 1 FROM [{table}] WHERE {where}", list(row.values())).fetchone():
        return 0
    store.db.table(table).insert(row)
    return 1
