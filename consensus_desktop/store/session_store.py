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
from dataclasses import dataclass
from typing import Any

from consensus_desktop import paths
from consensus_desktop.errors import InputError
from consensus_desktop.store.database import (
    SessionFileError,
    current_opinions,
    now,
)
from consensus_desktop.store.run_rows import RunRows
from consensus_desktop.store.store_core import _check_label, _json

HUMAN = "human_citizen"

PLENARY_KIND = "plenary"  # sessions.settings["kind"] of an assembly's plenary


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


class SessionStore(RunRows):
    """The library: sessions, people, questions and everything the room enters."""

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
            self.db.query(
                "SELECT * FROM participants WHERE session_id = ? ORDER BY position", [session_id]
            )
        )

    def questions(self, session_id: int) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT * FROM questions WHERE session_id = ? ORDER BY position", [session_id]
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
