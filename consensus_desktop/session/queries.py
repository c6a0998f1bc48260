"""The read model of one session, scoped to its current question (and a round where asked): what
the screens, the report and the exports read. Every SQL read of the session logic is here; writes
go through ``SessionStore``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from consensus_desktop.session.memo import remembered
from consensus_desktop.session.values import (
    DEFAULT_INTRO,
    UNDOABLE,
    CandidateView,
    Settings,
    candidate_label,
)
from consensus_desktop.store.database import model_originals
from consensus_desktop.store.session_store import SessionStore


class SessionQueries:
    """What a session holds, read from the store; each answer is kept until the next write."""

    def __init__(self, store: SessionStore, session_id: int) -> None:
        self.store = store
        self.session_id = session_id
        self._memo: dict[tuple[Any, ...], Any] = {}
        self._stamp = -1

    def _select(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows as dicts from one plain SELECT (no savepoint or introspection statements)."""
        cursor = self.store.db.execute(sql, list(args))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _one(self, sql: str, key: int) -> dict[str, Any]:
        return self._select(sql, [key])[0]

    def _rows(
        self, table: str, where: str, args: Sequence[Any], order_by: str = "id"
    ) -> list[dict[str, Any]]:
        return self._select(f"SELECT * FROM [{table}] WHERE {where} ORDER BY {order_by}", args)

    @property
    @remembered
    def row(self) -> dict[str, Any]:
        return self._one("SELECT * FROM sessions WHERE id = ?", self.session_id)

    @property
    def name(self) -> str:
        return str(self.row["name"])

    @property
    def step(self) -> str:
        return str(self.row.get("current_step") or "setup")

    @property
    def settings(self) -> Settings:
        return Settings.from_json(json.loads(self.row.get("settings") or "{}"))

    @property
    @remembered
    def participants(self) -> list[dict[str, Any]]:
        """Everyone in the session, absent or not."""
        return self._rows("participants", "session_id = ?", [self.session_id], "position")

    @property
    def present(self) -> list[dict[str, Any]]:
        """The participants in the room: pending lists and welfare cover only them."""
        absent = set(self.settings.absent)
        return [p for p in self.participants if p["id"] not in absent]

    def absent_names(self) -> list[str]:
        absent = set(self.settings.absent)
        return [p["pseudonym"] for p in self.participants if p["id"] in absent]

    @property
    @remembered
    def questions(self) -> list[dict[str, Any]]:
        return self._rows("questions", "session_id = ?", [self.session_id], "position")

    @property
    def question(self) -> dict[str, Any]:
        qs = self.questions
        return qs[min(self.settings.question_index, len(qs) - 1)]

    def has_next_question(self) -> bool:
        return self.settings.question_index + 1 < len(self.questions)

    def pseudonym(self, pid: int) -> str:
        return next(p["pseudonym"] for p in self.participants if p["id"] == pid)

    @property
    def intro_text(self) -> str:
        return self.settings.intro.strip() or DEFAULT_INTRO

    @remembered
    def consents(self) -> dict[int, bool]:
        """participant id -> agreed, from the event log (the latest answer counts)."""
        rows = self._select(
            "SELECT payload FROM events WHERE session_id = ? AND kind = 'consent' ORDER BY id",
            [self.session_id],
        )
        out: dict[int, bool] = {}
        for r in rows:
            payload = json.loads(r["payload"])
            out[int(payload["participant_id"])] = bool(payload["agreed"])
        return out

    def needs_consent(self, pid: int) -> bool:
        """A participant added late who has not yet read the welcome page and answered."""
        rows = self._select(
            "SELECT payload FROM events WHERE session_id = ? AND kind = 'participant_added_late'",
            [self.session_id],
        )
        late = {int(json.loads(r["payload"])["participant_id"]) for r in rows}
        return pid in late and pid not in self.consents()

    @remembered
    def baselines(self) -> dict[int, int]:
        rows = self._select(
            "SELECT participant_id, rating FROM baseline_ratings WHERE question_id = ? ORDER BY id",
            [self.question["id"]],
        )
        return {r["participant_id"]: r["rating"] for r in rows}  # the latest counts

    @remembered
    def opinions(self) -> dict[int, str]:
        return {
            pid: row["text"]
            for pid, row in self.store.current_opinions(self.question["id"]).items()
        }

    def pending(self, done: set[int]) -> list[dict[str, Any]]:
        return [p for p in self.present if p["id"] not in done]

    @remembered
    def _entries(self, step: str) -> list[tuple[str, dict[str, Any]]]:
        """(table, row) of the current question's entries for ``step``, oldest first."""
        qid = self.question["id"]
        if step == "baseline":
            rows = self._rows("baseline_ratings", "question_id = ?", [qid], order_by="id")
            return [("baseline_ratings", r) for r in rows]
        if step == "opinions":
            rows = self._rows("opinions", "question_id = ?", [qid], order_by="id")
            return [("opinions", r) for r in rows]
        ids = [c.id for c in self.round_candidates(include_replaced=True)] or [-1]
        marks = ",".join("?" * len(ids))
        table = "ratings" if step == "rating" else "critiques"
        if step == "critique":
            sel = self.selection()
            ids = [sel["candidate_id"]] if sel else [-1]
            marks = "?"
        rows = self._rows(table, f"candidate_id IN ({marks})", ids, order_by="id")
        return [(table, r) for r in rows]

    def last_entry(self, step: str) -> int | None:
        """Who made the latest entry of this step (for the current question), if anyone."""
        entries = self._entries(step) if step in UNDOABLE else []
        return int(entries[-1][1]["participant_id"]) if entries else None

    @remembered
    def runs_done(self) -> int:
        return int(
            self.store.db.execute(
                "SELECT count(*) FROM generation_runs WHERE question_id = ?", [self.question["id"]]
            ).fetchone()[0]
        )

    @remembered
    def rounds_done(self) -> int:
        """Rounds of generation for this question (a regeneration stays in its round)."""
        return int(
            self.store.db.execute(
                "SELECT count(DISTINCT round) FROM generation_runs WHERE question_id = ?",
                [self.question["id"]],
            ).fetchone()[0]
        )

    @remembered
    def _latest_run_kind(self) -> str:
        row = self.store.db.execute(
            "SELECT kind FROM generation_runs WHERE question_id = ? ORDER BY id DESC LIMIT 1",
            [self.question["id"]],
        ).fetchone()
        return str(row[0]) if row else "initial"

    @property
    @remembered
    def regenerating(self) -> bool:
        """A regeneration was asked for and no run has been recorded since (read from the event
        log, so it survives closing the app): the next run joins the current round."""
        row = self.store.db.execute(
            "SELECT payload FROM events WHERE session_id = ? AND kind = 'regenerate' "
            "ORDER BY id DESC LIMIT 1",
            [self.session_id],
        ).fetchone()
        if row is None:
            return False
        asked = json.loads(row[0])
        latest = self.latest_run_id()
        return (
            asked.get("question_id") == self.question["id"]
            and asked.get("after_run_id") == latest
            and latest is not None
        )

    @remembered
    def latest_run_id(self) -> int | None:
        row = self.store.db.execute(
            "SELECT max(id) FROM generation_runs WHERE question_id = ?", [self.question["id"]]
        ).fetchone()
        return row[0]

    @remembered
    def round_number(self, round_: int | None = None) -> int:
        """``round_``, or the latest round of this question (-1 before any run)."""
        return self._latest_round() if round_ is None else round_

    @remembered
    def _latest_round(self) -> int:
        row = self.store.db.execute(
            "SELECT max(round) FROM generation_runs WHERE question_id = ?", [self.question["id"]]
        ).fetchone()
        return -1 if row[0] is None else int(row[0])

    def round_run_ids(self, round_: int | None = None) -> list[int]:
        """The runs of a round (default: the latest): the first run and any regenerations."""
        return list(self._run_ids(self.round_number(round_)))

    @remembered
    def _run_ids(self, number: int) -> list[int]:
        rows = self.store.db.execute(
            "SELECT id FROM generation_runs WHERE question_id = ? AND round = ? ORDER BY id",
            [self.question["id"], number],
        ).fetchall()
        return [int(r[0]) for r in rows]

    def round_candidates(
        self, include_replaced: bool = False, round_: int | None = None
    ) -> list[CandidateView]:
        """A round's candidates (default: the latest) in the order written, with labels unique
        within the question: a later round's letters follow on from the earlier rounds'."""
        everything = self._round_candidates(self.round_number(round_))
        replaced = {c.edited_from for c in everything if c.edited_from}
        return [c for c in everything if include_replaced or c.id not in replaced]

    @remembered
    def _round_candidates(self, number: int) -> list[CandidateView]:
        run_ids = self._run_ids(number) or [-1]
        marks = ",".join("?" * len(run_ids))
        rows = self._select(
            "SELECT id, text, replaces_id, (SELECT count(*) FROM candidates e "
            "JOIN generation_runs g ON g.id = e.run_id WHERE g.question_id = ? AND g.round < ? "
            f"AND e.replaces_id IS NULL) AS before FROM candidates WHERE run_id IN ({marks}) "
            "ORDER BY id",
            [self.question["id"], number, *run_ids],
        )
        originals = int(rows[0]["before"]) if rows else 0
        labels: dict[int, str] = {}
        out = []
        for r in rows:
            if r["replaces_id"]:
                labels[r["id"]] = labels.get(r["replaces_id"], "?") + "′"
            else:
                labels[r["id"]] = candidate_label(originals)
                originals += 1
            out.append(CandidateView(r["id"], r["text"], labels[r["id"]], r["replaces_id"]))
        return out

    @remembered
    def previous_choice(self) -> tuple[int, CandidateView] | None:
        """(round, statement): the choice of an earlier round of this question, which stays in
        the running in a later round with the ratings the room gave it then."""
        row = self.store.db.execute(
            "SELECT s.candidate_id, g.round FROM selections s "
            "JOIN candidates c ON c.id = s.candidate_id "
            "JOIN generation_runs g ON g.id = c.run_id "
            "WHERE s.question_id = ? AND g.round < ? ORDER BY s.id DESC LIMIT 1",
            [self.question["id"], self.round_number()],
        ).fetchone()
        if row is None:
            return None
        cid, round_ = int(row[0]), int(row[1])
        view = next(c for c in self.round_candidates(True, round_) if c.id == cid)
        return round_, view

    def model_original(self, cid: int) -> str | None:
        """The model's wording of a statement the facilitator reworded (None if not reworded)."""
        return self._originals().get(cid)

    @remembered
    def _originals(self) -> dict[int, str]:
        return model_originals(self.store.db, self.session_id)

    def _stored_shortlist(self, current: list[CandidateView]) -> list[CandidateView]:
        # A regeneration chooses over the whole round and moves the marks (store_run_result), so
        # each rank is held once; a file from before that holds one shortlist per run of the
        # round, and the latest run's is the one that counted.
        run_ids = self.round_run_ids() or [-1]
        marks = ",".join("?" * len(run_ids))
        rows = self._select(
            f"SELECT id, shortlist_rank FROM candidates WHERE run_id IN ({marks}) "
            "AND shortlist_rank IS NOT NULL ORDER BY shortlist_rank, run_id DESC",
            run_ids,
        )
        by_rank: dict[int, int] = {}
        for r in rows:
            by_rank.setdefault(r["shortlist_rank"], r["id"])
        root: dict[int, int] = {}
        for c in self.round_candidates(include_replaced=True):  # originals before their edits
            root[c.id] = root.get(c.edited_from, c.id) if c.edited_from else c.id
        by_root = {root.get(c.id, c.id): c for c in current}
        chosen = (by_root.get(root.get(cid, cid)) for cid in by_rank.values())
        return [c for c in chosen if c is not None]

    @remembered
    def run_screening(self) -> tuple[str, int, list[dict[str, Any]]]:
        """(shortlist rule, near-duplicates folded, rejected samples) of the latest run."""
        run_id = self.latest_run_id()
        if run_id is None:
            return "", 0, []
        run = self._one("SELECT * FROM generation_runs WHERE id = ?", run_id)
        folded = self.store.db.execute(
            "SELECT coalesce(sum(folded), 0) FROM candidates WHERE run_id = ?", [run_id]
        ).fetchone()[0]
        return (
            str(run.get("shortlist_rule") or ""),
            int(folded),
            self._rows("rejected_samples", "run_id = ?", [run_id]),
        )

    @remembered
    def raters(self) -> set[int]:
        run_ids = self.round_run_ids() or [-1]
        marks = ",".join("?" * len(run_ids))
        rows = self._select(
            "SELECT DISTINCT r.participant_id FROM ratings r JOIN candidates c "
            f"ON c.id = r.candidate_id WHERE c.run_id IN ({marks})",
            run_ids,
        )
        return {r["participant_id"] for r in rows}

    @remembered
    def selection(self, cid: int | None = None) -> dict[str, Any] | None:
        """The question's latest choice (or the latest choice of statement ``cid``), with its text."""
        which = "" if cid is None else " AND s.candidate_id = ?"
        rows = list(
            self._select(
                "SELECT s.*, c.text FROM selections s JOIN candidates c ON c.id = s.candidate_id "
                f"WHERE s.question_id = ?{which} ORDER BY s.id DESC LIMIT 1",
                [self.question["id"]] + ([] if cid is None else [cid]),
            )
        )
        return rows[0] if rows else None

    @remembered
    def critiques_for(self, cid: int) -> dict[int, str]:
        rows = self._rows("critiques", "candidate_id = ?", [cid], order_by="id")
        return {r["participant_id"]: r["text"] for r in rows}

    @remembered
    def ratings_of(self, cid: int) -> dict[int, int]:
        """participant id -> the agreement they gave the statement, over those present."""
        rows = self._rows("ratings", "candidate_id = ?", [cid], order_by="id")
        present = {p["id"] for p in self.present}
        return {r["participant_id"]: r["agreement"] for r in rows if r["participant_id"] in present}

    def final_ratings(self) -> dict[int, int]:
        sel = self.selection()
        return {} if sel is None else self.ratings_of(sel["candidate_id"])

    @remembered
    def round_rankings(self) -> list[dict[str, Any]]:
        """The rankings given in the latest round (one row a participant and run)."""
        run_ids = self.round_run_ids() or [-1]
        marks = ",".join("?" * len(run_ids))
        return list(self._rows("rankings", f"run_id IN ({marks})", run_ids, order_by="id"))

    def candidate(self, cid: int) -> dict[str, Any]:
        return self._one("SELECT * FROM candidates WHERE id = ?", cid)

    @remembered
    def round_numbers(self) -> list[int]:
        """The question's rounds of generation, first to last."""
        rows = self.store.db.execute(
            "SELECT DISTINCT round FROM generation_runs WHERE question_id = ? ORDER BY round",
            [self.question["id"]],
        )
        return [int(r[0] or 0) for r in rows]

    @remembered
    def round_runs(self) -> list[dict[str, Any]]:
        """The rows of the round's runs: its first generation, then any regenerations."""
        run_ids = self.round_run_ids() or [-1]
        marks = ",".join("?" * len(run_ids))
        return list(
            self._select(
                f"SELECT * FROM generation_runs WHERE id IN ({marks}) ORDER BY id", run_ids
            )
        )

    def choice_among(self, candidate_ids: Sequence[int]) -> dict[str, Any] | None:
        """The latest choice among these candidates (one round's), if any."""
        ids = list(candidate_ids) or [-1]
        marks = ",".join("?" * len(ids))
        rows = list(
            self._select(
                f"SELECT * FROM selections WHERE candidate_id IN ({marks}) ORDER BY id DESC LIMIT 1",
                ids,
            )
        )
        return rows[0] if rows else None

    @remembered
    def reward_version(self, run_id: int) -> dict[str, Any]:
        """The reward model that predicted a run's agreement ({} if none is recorded)."""
        row = self.store.db.execute(
            "SELECT p.reward_version FROM predictions p JOIN candidates c ON c.id = p.candidate_id "
            "WHERE c.run_id = ? ORDER BY p.id LIMIT 1",
            [run_id],
        ).fetchone()
        return json.loads(row[0]) if row and row[0] else {}
