"""Recording a session: one call per thing a participant or the facilitator confirms.

Each write is its own committed transaction (WAL, synchronous=FULL): once a method returns, the
entry survives a crash or a power cut. Inside ``with store.transaction():`` the calls become one
transaction instead, committed at the end of the block or not at all. A ``SessionStore`` belongs
to one thread: in the app, the GUI thread, which calls it directly (each write is one small
transaction, milliseconds). Nothing enforces this (the connection is opened with
check_same_thread=False): a worker must not be handed the store.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from consensus_desktop import paths
from consensus_desktop.errors import InputError
from consensus_desktop.labels import label_problem
from consensus_desktop.safe_files import register_open, unregister_open
from consensus_desktop.store.database import (
    SessionFileError,
    current_opinions,
    now,
    open_database,
    transaction,
)
from consensus_desktop.store.file_values import store_text
from consensus_desktop.store.foreign import check_library
from consensus_desktop.welfare.isoelastic import alpha_to_json

HUMAN = "human_citizen"
MODEL = "model_mediator"
FACILITATOR_EDIT = "facilitator_edit"  # a model statement reworded by the facilitator

PLENARY_KIND = "plenary"  # sessions.settings["kind"] of an assembly's plenary


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _check_label(what: str, text: str) -> None:
    problem = label_problem(text)
    if problem:
        raise InputError(f"{what} holds {problem}; type it without.")


def _stored(row: dict[str, Any]) -> dict[str, Any]:
    """A row as written: its texts without the characters no session file may hold."""
    return {k: store_text(v) if isinstance(v, str) else v for k, v in row.items()}


def _pk(value: Any) -> int:
    if value is None:  # pragma: no cover - sqlite always returns the new rowid
        raise RuntimeError("insert returned no id")
    return int(value)


def _likert(value: int, what: str) -> int:
    if not isinstance(value, int) or not 1 <= value <= 7:
        raise InputError(f"{what} must be a whole number from 1 to 7, got {value!r}")
    return value


@dataclass(frozen=True)
class SessionRow:
    id: int
    uuid: str
    name: str
    created_at: str
    updated_at: str
    current_step: str | None


class SessionStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else paths.library_db_path()
        check_library(self.path)  # a planted trigger or view never runs, an upgrade never hangs
        self.db: sqlite_utils.Database = open_database(self.path)
        register_open(self.path)  # no export may ever write over it

    @classmethod
    def over(cls, db: sqlite_utils.Database, path: Path) -> SessionStore:
        """The store's queries on a database opened elsewhere (a session file, read-only)."""
        store = cls.__new__(cls)
        store.path, store.db = Path(path), db
        return store

    def close(self) -> None:
        self.db.conn.close()
        unregister_open(self.path)

    def transaction(self) -> AbstractContextManager[None]:
        """Make several recording calls one atomic unit (calls inside join it)."""
        return transaction(self.db.conn)

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        with self.transaction():
            return _pk(self.db.table(table).insert(_stored(row)).last_pk)

    def _touch(self, session_id: int) -> None:
        with self.transaction():
            self.db.table("sessions").update(session_id, {"updated_at": now()})

    # -- sessions -----------------------------------------------------------------------------
    def create_session(self, name: str, settings: dict[str, Any] | None = None) -> int:
        name = " ".join(name.split())
        if not name:
            raise InputError("A session needs a name.")
        _check_label(f"The session name {name!r}", name)
        stamp = now()
        sid = self._insert(
            "sessions",
            {
                "uuid": str(uuid.uuid4()),
                "name": name,
                "created_at": stamp,
                "updated_at": stamp,
                "settings": _json(settings or {}),
                "origin": paths.APP_NAME,
                "current_step": "setup",
            },
        )
        self.log_event(sid, "session_created", {"name": name})
        return sid

    def sessions(self) -> list[SessionRow]:
        rows = self.db.query(
            "SELECT id, uuid, name, created_at, updated_at, current_step FROM sessions "
            "ORDER BY updated_at DESC"
        )
        return [SessionRow(**r) for r in rows]

    def is_plenary(self, session_id: int) -> bool:
        """An assembly's plenary: its participants are the tables' members, never added to."""
        row = self.db.execute("SELECT settings FROM sessions WHERE id = ?", [session_id]).fetchone()
        settings = json.loads(row[0] or "{}") if row else {}
        return isinstance(settings, dict) and settings.get("kind") == PLENARY_KIND

    def find_session(self, name_or_uuid: str) -> int:
        rows = list(
            self.db.query(
                "SELECT id FROM sessions WHERE name = ? OR uuid = ? ORDER BY id",
                [name_or_uuid, name_or_uuid],
            )
        )
        if not rows:
            raise SessionFileError(f"No session named {name_or_uuid!r}. See `session list`.")
        if len(rows) > 1:
            raise SessionFileError(
                f"Several sessions are named {name_or_uuid!r}; use the session's uuid instead."
            )
        return int(rows[0]["id"])

    def set_settings(self, session_id: int, settings: dict[str, Any]) -> None:
        with self.transaction():
            self.db.table("sessions").update(session_id, {"settings": _json(settings)})

    def set_step(self, session_id: int, step: str) -> None:
        with self.transaction():
            self.db.table("sessions").update(
                session_id, {"current_step": step, "updated_at": now()}
            )
        self.log_event(session_id, "step", {"step": step})

    def log_event(self, session_id: int, kind: str, payload: dict[str, Any] | None = None) -> int:
        return self._insert(
            "events",
            {"session_id": session_id, "at": now(), "kind": kind, "payload": _json(payload or {})},
        )

    # -- setup --------------------------------------------------------------------------------
    def add_question(
        self, session_id: int, text: str, position_statement: str = "", library_id: str = ""
    ) -> int:
        if not text.strip():
            raise InputError("The question is empty.")
        position = self.db.execute(
            "SELECT count(*) FROM questions WHERE session_id = ?", [session_id]
        ).fetchone()[0]
        qid = self._insert(
            "questions",
            {
                "session_id": session_id,
                "position": position,
                "text": text.strip(),
                "position_statement": position_statement.strip(),
                "library_id": library_id,
                "created_at": now(),
            },
        )
        self._touch(session_id)
        return qid

    def add_participant(self, session_id: int, pseudonym: str) -> int:
        pseudonym = " ".join(pseudonym.split())
        if not pseudonym:
            raise InputError("A participant needs a pseudonym.")
        _check_label(f"The pseudonym {pseudonym!r}", pseudonym)
        taken = {
            r["pseudonym"].casefold()
            for r in self.db.table("participants").rows_where("session_id = ?", [session_id])
        }
        if pseudonym.casefold() in taken:
            raise InputError(f"The pseudonym {pseudonym!r} is already taken in this session.")
        position = len(taken)
        return self._insert(
            "participants",
            {
                "session_id": session_id,
                "uuid": str(uuid.uuid4()),
                "position": position,
                "pseudonym": pseudonym,
                "created_at": now(),
            },
        )

    def participants(self, session_id: int) -> list[dict[str, Any]]:
        return list(
            self.db.table("participants").rows_where(
                "session_id = ?", [session_id], order_by="position"
            )
        )

    def questions(self, session_id: int) -> list[dict[str, Any]]:
        return list(
            self.db.table("questions").rows_where(
                "session_id = ?", [session_id], order_by="position"
            )
        )

    # -- what participants confirm ------------------------------------------------------------
    def add_baseline_rating(
        self, participant_id: int, question_id: int, rating: int, seconds_taken: float | None = None
    ) -> int:
        return self._insert(
            "baseline_ratings",
            {
                "participant_id": participant_id,
                "question_id": question_id,
                "rating": _likert(rating, "A rating"),
                "seconds_taken": seconds_taken,
                "created_at": now(),
            },
        )

    def add_opinion(self, participant_id: int, question_id: int, text: str) -> int:
        return self._insert(
            "opinions",
            {
                "participant_id": participant_id,
                "question_id": question_id,
                "text": text,
                "provenance": HUMAN,
                "replaces_id": None,
                "created_at": now(),
            },
        )

    def correct_opinion(self, opinion_id: int, new_text: str, session_id: int) -> int:
        """A facilitator's typo fix: a new row replacing the old (kept), and an event."""
        old = self.db.table("opinions").get(opinion_id)
        new_id = self._insert(
            "opinions",
            {
                "participant_id": old["participant_id"],
                "question_id": old["question_id"],
                "text": new_text,
                "provenance": HUMAN,
                "replaces_id": opinion_id,
                "created_at": now(),
            },
        )
        self.log_event(
            session_id,
            "opinion_corrected",
            {
                "opinion_id": opinion_id,
                "new_opinion_id": new_id,
                "before": old["text"],
                "after": new_text,
            },
        )
        return new_id

    def current_opinions(self, question_id: int) -> dict[int, dict[str, Any]]:
        """participant_id -> latest opinion row (corrections replace earlier rows)."""
        return {r["participant_id"]: r for r in current_opinions(self.db, question_id)}

    def add_rating(
        self,
        candidate_id: int,
        participant_id: int,
        agreement: int,
        quality: int | None = None,
        seconds_taken: float | None = None,
    ) -> int:
        return self._insert(
            "ratings",
            {
                "candidate_id": candidate_id,
                "participant_id": participant_id,
                "agreement": _likert(agreement, "Agreement"),
                "quality": None if quality is None else _likert(quality, "Quality"),
                "seconds_taken": seconds_taken,
                "created_at": now(),
            },
        )

    def add_ranking(self, participant_id: int, run_id: int, ranking: dict[int, int]) -> int:
        return self._insert(
            "rankings",
            {
                "participant_id": participant_id,
                "run_id": run_id,
                "ranking": _json({str(k): v for k, v in ranking.items()}),
                "created_at": now(),
            },
        )

    def add_critique(self, participant_id: int, candidate_id: int, text: str) -> int:
        return self._insert(
            "critiques",
            {
                "participant_id": participant_id,
                "candidate_id": candidate_id,
                "text": text,
                "created_at": now(),
            },
        )

    # -- corrections by the facilitator ------------------------------------------------------
    def remove_entries(
        self, session_id: int, ids: dict[str, list[int]], payload: dict[str, Any]
    ) -> None:
        """Undo: delete these rows (children first as given) and log what was removed."""
        with self.transaction():  # the rows go and the event comes in one transaction
            for table, row_ids in ids.items():
                for row_id in row_ids:
                    self.db.execute(f"DELETE FROM [{table}] WHERE id = ?", [row_id])
            self.log_event(session_id, "undo", payload)

    def add_edited_candidate(self, session_id: int, candidate_id: int, text: str) -> int:
        """A reworded candidate: a new row naming the one it replaces, with its predictions."""
        old = self.db.table("candidates").get(candidate_id)
        position = self.db.execute(
            "SELECT max(position) + 1 FROM candidates WHERE run_id = ?", [old["run_id"]]
        ).fetchone()[0]
        with self.transaction():
            new_id = _pk(
                self.db.table("candidates")
                .insert(
                    {
                        "run_id": old["run_id"],
                        "position": position,
                        "text": store_text(text),
                        "seed": old["seed"],
                        "opinion_order": old["opinion_order"],
                        "provenance": FACILITATOR_EDIT,
                        "replaces_id": candidate_id,
                        "created_at": now(),
                    }
                )
                .last_pk
            )
            self.db.execute(
                "INSERT INTO predictions (candidate_id, participant_id, agreement, "
                "reward_version, created_at) SELECT ?, participant_id, agreement, "
                "reward_version, ? FROM predictions WHERE candidate_id = ?",
                [new_id, now(), candidate_id],
            )
        self.log_event(
            session_id,
            "candidate_edited",
            {
                "candidate_id": candidate_id,
                "new_candidate_id": new_id,
                "before": old["text"],
                "after": text,
                "predictions": "copied from the original wording",
            },
        )
        return new_id

    # -- what the model produced --------------------------------------------------------------
    def add_generation_run(self, session_id: int, question_id: int, **fields: Any) -> int:
        row = {"session_id": session_id, "question_id": question_id, "created_at": now()}
        for key in ("sampling", "seeds", "shortened"):
            if key in fields and not isinstance(fields[key], str):
                fields[key] = _json(fields[key])
        row.update(fields)
        return self._insert("generation_runs", row)

    def add_candidates(self, run_id: int, candidates: Iterable[dict[str, Any]]) -> list[int]:
        ids = []
        with self.transaction():
            for position, c in enumerate(candidates):
                row = {
                    "run_id": run_id,
                    "position": position,
                    "provenance": MODEL,
                    "created_at": now(),
                    **c,
                }
                if not isinstance(row.get("opinion_order"), str | None):
                    row["opinion_order"] = _json(row["opinion_order"])
                ids.append(_pk(self.db.table("candidates").insert(_stored(row)).last_pk))
        return ids

    def add_rejected(self, run_id: int, rows: Sequence[tuple[str, str, int]]) -> None:
        """Drawn samples that did not become candidates: (text, reason, seed)."""
        stamp = now()
        with self.transaction():
            self.db.table("rejected_samples").insert_all(
                _stored({"run_id": run_id, "text": t, "reason": r, "seed": s, "created_at": stamp})
                for t, r, s in rows
            )

    def rejected(self, run_id: int) -> list[dict[str, Any]]:
        return list(
            self.db.table("rejected_samples").rows_where("run_id = ?", [run_id], order_by="id")
        )

    def add_predictions(
        self,
        candidate_ids: Sequence[int],
        participant_ids: Sequence[int],
        agreement: Sequence[Sequence[float]],
        reward_version: dict[str, Any],
    ) -> None:
        version = _json(reward_version)
        stamp = now()
        rows = [
            {
                "candidate_id": c,
                "participant_id": p,
                "agreement": float(agreement[i][j]),
                "reward_version": version,
                "created_at": stamp,
            }
            for i, c in enumerate(candidate_ids)
            for j, p in enumerate(participant_ids)
        ]
        values = [float(x) for row in agreement for x in row]
        if any(not 1.0 <= x <= 7.0 for x in values):  # what file_values accepts
            raise ValueError("A predicted agreement must lie on the 1–7 scale.")
        with self.transaction():
            self.db.table("predictions").insert_all(rows)

    def add_selection(
        self,
        session_id: int,
        question_id: int,
        candidate_id: int,
        method: str,
        alpha: float,
        chosen_by: str = "facilitator",
    ) -> int:
        sel = self._insert(
            "selections",
            {
                "session_id": session_id,
                "question_id": question_id,
                "candidate_id": candidate_id,
                "method": method,
                "alpha": alpha,
                "chosen_by": chosen_by,
                "created_at": now(),
            },
        )
        self.log_event(
            session_id,
            "selection",
            {
                "candidate_id": candidate_id,
                "method": method,
                "alpha": alpha_to_json(alpha),
            },
        )
        return sel
