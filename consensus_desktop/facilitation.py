"""One facilitated session, step by step: the logic behind the app's screens (no Qt).

The screens call this object and show what it returns; everything a participant or the facilitator
confirms goes straight to the store. Reopening a session resumes at the step it was on.

Steps: setup -> intro (each participant reads what the session is and agrees) -> baseline -> opinions -> generation -> tradeoffs -> rating -> (critique ->
generation -> tradeoffs -> rating) -> results.

Recovery, each step logged in the event log: regenerate (a new run in the same round; the old
candidates stay in the pool), edit a candidate's wording before rating (a new candidate that
replaces the old one), undo the last baseline/opinion/rating/critique, mark a participant absent
(welfare and pending lists then cover those present), add a late participant, and a critique round
decided on the result screen.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import sqlite_utils

from consensus_desktop.pipeline import RunRequest, RunResult
from consensus_desktop.session.steps import step, then
from consensus_desktop.store.database import model_originals
from consensus_desktop.store.recording import store_run_result
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.welfare.function import WelfareFunction
from consensus_desktop.welfare.group_metrics import Agreement, group_internal_agreement
from consensus_desktop.welfare.isoelastic import alpha_from_json, alpha_to_json
from consensus_desktop.welfare.schulze import SchulzeResult, schulze
from consensus_desktop.welfare.tradeoff import TradeOff
from consensus_desktop.welfare.utilities import shift_predictions

MIN_PARTICIPANTS, MAX_PARTICIPANTS = 3, 12
DEFAULT_INTRO = "\n".join(
    (
        "Welcome. In this session you will:",
        "1. say how much you agree with a statement about today's question;",
        "2. write your own opinion, privately: only you see your page;",
        "3. rate statements that a computer program on this laptop writes from everyone's "
        "opinions.",
        "",
        "What the program does: it reads all the opinions (with your chosen name, not your real "
        "name) and writes statements that try to bring them together. It runs on this laptop "
        "only: nothing is sent over the internet. It can be wrong: you decide how much you agree.",
        "",
        "What is stored: your chosen name, your answers and the statements, in a file on this "
        "laptop. The facilitator may share a copy without names for research.",
        "",
        "You can stop at any time.",
    )
)


@dataclass
class Settings:
    n_candidates: int = 8
    alpha: float = 0.0
    shortlist_k: int = 4
    critique_round: bool = False
    max_tokens: int = 60
    seed: int = 1234
    question_index: int = 0  # which of the session's questions the room is on
    absent: list[int] = field(default_factory=list)  # participant ids marked absent
    intro: str = ""  # what participants read before they start; empty: DEFAULT_INTRO
    rehearsal: bool = False  # example opinions: never mixed into real data
    # a table of an assembly: its plenary finds the table by these (see consensus_desktop/assembly)
    assembly: str = ""
    table_label: str = ""

    def to_json(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["alpha"] = alpha_to_json(self.alpha)
        return d

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Settings:
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        if "alpha" in known:
            known["alpha"] = alpha_from_json(known["alpha"])
        return cls(**known)


@dataclass(frozen=True)
class CandidateView:
    id: int
    text: str
    label: str = ""  # stable within the round: A, B, …; an edited candidate is its origin + ′
    edited_from: int | None = None


def candidate_label(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else f"S{index + 1}"


# what "undo the last entry" removes, per step: (table, what it is called on screen)
UNDOABLE = {
    "baseline": "position rating",
    "opinions": "opinion",
    "rating": "ratings",
    "critique": "critique",
}


def _similar(a: str, b: str, threshold: float = 0.9) -> bool:
    def norm(t: str) -> str:
        return " ".join("".join(ch for ch in t.casefold() if ch.isalnum() or ch.isspace()).split())

    return difflib.SequenceMatcher(None, norm(a), norm(b)).ratio() >= threshold


def ranking_problem(ranks: dict[int, int], n: int) -> tuple[str, int] | None:
    """A sentence saying why ``ranks`` (statement number -> rank, 0 = none) is not a ranking.

    A ranking is either empty or a permutation of 1..n. Returns (sentence, first statement number
    at fault) or None when it is fine.
    """
    given = {k: v for k, v in ranks.items() if v > 0}
    if not given:
        return None
    by_rank: dict[int, list[int]] = {}
    for k in sorted(given):
        by_rank.setdefault(given[k], []).append(k)
    for rank, items in sorted(by_rank.items()):
        if len(items) > 1:
            listed = ", ".join(str(i) for i in items[:-1]) + f" and {items[-1]}"
            return (f"Statements {listed} both have rank {rank}: give each rank once.", items[0])
    missing = [k for k in sorted(ranks) if ranks[k] <= 0]
    if missing:
        return (
            f"Statement {missing[0]} has no rank: rank every statement from 1 to {n}, "
            "or clear all the ranks.",
            missing[0],
        )
    return None


@dataclass
class Scores:
    """Candidates x participants agreement (1–7): ratings where given, predictions elsewhere.

    Where a participant has rated some candidates, their other predictions are shifted by their
    mean offset (rating - prediction), shrunk by n / (n + 1) for n ratings: it puts predictions on
    the same level as that person's real ratings (measured on held-out Polis conversations with the
    default model: per-conversation AUC 0.52 -> 0.55 with five known ratings per person;
    `build_scripts/compare_reward_methods.py --quick`).
    """

    candidates: list[CandidateView]
    predicted: np.ndarray
    rated: np.ndarray  # NaN where a participant did not rate that candidate
    names: list[str] = field(default_factory=list)  # the present participants, one per column
    # the row of an earlier round's choice kept in the running, with the ratings it had then
    carried: int | None = None
    combined: np.ndarray = field(init=False)
    offsets: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        known = np.isfinite(self.rated)
        n = known.sum(axis=0)
        diff = np.where(known, self.rated - self.predicted, 0.0).sum(axis=0)
        self.offsets = np.where(n > 0, diff / np.maximum(n, 1) * n / (n + 1), 0.0)
        self.combined = np.where(known, self.rated, shift_predictions(self.predicted, self.offsets))

    @property
    def has_ratings(self) -> bool:
        """Whether the room has rated this round's statements (a carried choice's ratings are an
        earlier round's)."""
        own = [i for i in range(len(self.rated)) if i != self.carried]
        return bool(np.isfinite(self.rated[own]).any())

    def is_rated(self, index: int) -> bool:
        return bool(np.isfinite(self.rated[index]).any())

    def label(self, index: int) -> str:
        return self.candidates[index].label or str(index + 1)


@dataclass(frozen=True)
class ResultRow:
    label: str
    text: str
    predicted_mean: float
    predicted_min: float
    rated_mean: float  # NaN when nobody rated it
    n_rated: int
    chosen: bool
    note: str = ""


def score_matrices(
    db: sqlite_utils.Database, candidate_ids: Sequence[int], pids: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """(predicted, rated) candidates x participants, in the given orders; NaN where nobody rated,
    and neutral 4 where a participant has no prediction (joined late), explicitly."""
    predicted = np.full((len(candidate_ids), len(pids)), np.nan)
    rated = np.full((len(candidate_ids), len(pids)), np.nan)
    index = {c: i for i, c in enumerate(candidate_ids)}
    col = {pid: j for j, pid in enumerate(pids)}
    ids = list(index) or [-1]
    marks = ",".join("?" * len(ids))
    for table, matrix in (("predictions", predicted), ("ratings", rated)):
        for r in db.query(
            f"SELECT candidate_id, participant_id, agreement FROM {table} "
            f"WHERE candidate_id IN ({marks}) ORDER BY id",
            ids,
        ):
            if r["participant_id"] in col:
                matrix[index[r["candidate_id"]], col[r["participant_id"]]] = r["agreement"]
    return np.where(np.isfinite(predicted), predicted, 4.0), rated


class Facilitation:
    def __init__(self, store: SessionStore, session_id: int) -> None:
        self.store = store
        self.session_id = session_id

    # -- creating and resuming ----------------------------------------------------------------
    @classmethod
    def create(
        cls,
        store: SessionStore,
        name: str,
        questions: Sequence[tuple[str, str, str]],
        pseudonyms: Sequence[str],
        settings: Settings,
    ) -> Facilitation:
        """``questions``: (question, position statement, library id) triples."""
        names = [" ".join(p.split()) for p in pseudonyms if p.strip()]
        if not MIN_PARTICIPANTS <= len(names) <= MAX_PARTICIPANTS:
            raise ValueError(
                f"A session needs {MIN_PARTICIPANTS} to {MAX_PARTICIPANTS} participants "
                f"(got {len(names)})."
            )
        if len({n.casefold() for n in names}) != len(names):
            raise ValueError("Two participants have the same pseudonym.")
        if not questions or not any(q.strip() for q, _, _ in questions):
            raise ValueError("Add at least one question.")
        sid = store.create_session(name, settings.to_json())
        for text, statement, library_id in questions:
            if text.strip():
                store.add_question(sid, text, statement, library_id)
        for n in names:
            store.add_participant(sid, n)
        flow = cls(store, sid)
        flow.go_to(then("setup"))
        return flow

    @property
    def row(self) -> dict[str, Any]:
        return dict(self.store.db.table("sessions").get(self.session_id))

    @property
    def name(self) -> str:
        return str(self.row["name"])

    @property
    def step(self) -> str:
        return str(self.row.get("current_step") or "setup")

    def go_to(self, name: str) -> None:
        self.store.set_step(self.session_id, step(name).name)

    @property
    def settings(self) -> Settings:
        return Settings.from_json(json.loads(self.row.get("settings") or "{}"))

    def update_settings(self, settings: Settings) -> None:
        with self.store.db.conn:
            self.store.db.table("sessions").update(
                self.session_id, {"settings": json.dumps(settings.to_json())}
            )
        self.store.log_event(self.session_id, "settings", settings.to_json())

    # -- who and what -------------------------------------------------------------------------
    @property
    def participants(self) -> list[dict[str, Any]]:
        """Everyone in the session, absent or not."""
        return self.store.participants(self.session_id)

    @property
    def present(self) -> list[dict[str, Any]]:
        """The participants in the room: pending lists and welfare cover only them."""
        absent = set(self.settings.absent)
        return [p for p in self.participants if p["id"] not in absent]

    def absent_names(self) -> list[str]:
        absent = set(self.settings.absent)
        return [p["pseudonym"] for p in self.participants if p["id"] in absent]

    def mark_absent(self, pid: int, absent: bool = True) -> None:
        s = self.settings
        ids = [i for i in s.absent if i != pid] + ([pid] if absent else [])
        if absent and len(self.participants) - len(ids) < 2:
            raise ValueError("At least two participants must stay present.")
        s.absent = ids
        with self.store.db.conn:
            self.store.db.table("sessions").update(
                self.session_id, {"settings": json.dumps(s.to_json())}
            )
        self.store.log_event(
            self.session_id,
            "participant_absent" if absent else "participant_present",
            {"participant_id": pid, "step": self.step},
        )

    def add_late_participant(self, pseudonym: str) -> int:
        if len(self.participants) >= MAX_PARTICIPANTS:
            raise ValueError(f"A session has at most {MAX_PARTICIPANTS} participants.")
        pid = self.store.add_participant(self.session_id, pseudonym)
        self.store.log_event(
            self.session_id, "participant_added_late", {"participant_id": pid, "step": self.step}
        )
        return pid

    @property
    def questions(self) -> list[dict[str, Any]]:
        return self.store.questions(self.session_id)

    @property
    def question(self) -> dict[str, Any]:
        qs = self.questions
        return qs[min(self.settings.question_index, len(qs) - 1)]

    def has_next_question(self) -> bool:
        return self.settings.question_index + 1 < len(self.questions)

    def next_question(self) -> None:
        """Move the room on to the session's next question (from the baseline step)."""
        if not self.has_next_question():
            raise ValueError("This was the session's last question.")
        s = self.settings
        s.question_index += 1
        self.update_settings(s)
        self.go_to("baseline")

    def pseudonym(self, pid: int) -> str:
        return next(p["pseudonym"] for p in self.participants if p["id"] == pid)

    # -- intro and consent --------------------------------------------------------------------
    @property
    def intro_text(self) -> str:
        return self.settings.intro.strip() or DEFAULT_INTRO

    def record_consent(self, pid: int, agreed: bool) -> None:
        """A participant read the introduction and agreed (or did not: then they are absent)."""
        if not agreed:
            self.mark_absent(pid)
        self.store.log_event(
            self.session_id,
            "consent",
            {
                "participant_id": pid,
                "agreed": agreed,
                "intro_sha256": hashlib.sha256(self.intro_text.encode()).hexdigest(),
            },
        )

    def consents(self) -> dict[int, bool]:
        """participant id -> agreed, from the event log (the latest answer counts)."""
        rows = self.store.db.query(
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
        rows = self.store.db.query(
            "SELECT payload FROM events WHERE session_id = ? AND kind = 'participant_added_late'",
            [self.session_id],
        )
        late = {int(json.loads(r["payload"])["participant_id"]) for r in rows}
        return pid in late and pid not in self.consents()

    # -- baseline -----------------------------------------------------------------------------
    def record_baseline(self, pid: int, rating: int, seconds: float | None = None) -> None:
        self.store.add_baseline_rating(pid, self.question["id"], rating, seconds)

    def baselines(self) -> dict[int, int]:
        rows = self.store.db.query(
            "SELECT participant_id, rating FROM baseline_ratings WHERE question_id = ? ORDER BY id",
            [self.question["id"]],
        )
        return {r["participant_id"]: r["rating"] for r in rows}  # the latest counts

    # -- opinions -----------------------------------------------------------------------------
    def record_opinion(self, pid: int, text: str) -> None:
        if not text.strip():
            raise ValueError("The opinion is empty: please write a few words.")
        self.store.add_opinion(pid, self.question["id"], text)

    def correct_opinion(self, pid: int, text: str) -> None:
        current = self.store.current_opinions(self.question["id"])[pid]
        self.store.correct_opinion(current["id"], text, self.session_id)

    def opinions(self) -> dict[int, str]:
        return {
            pid: row["text"]
            for pid, row in self.store.current_opinions(self.question["id"]).items()
        }

    def pending(self, done: set[int]) -> list[dict[str, Any]]:
        return [p for p in self.present if p["id"] not in done]

    # -- undo ---------------------------------------------------------------------------------
    def _entries(self, step: str) -> list[tuple[str, dict[str, Any]]]:
        """(table, row) of the current question's entries for ``step``, oldest first."""
        qid = self.question["id"]
        if step == "baseline":
            rows = self.store.db.table("baseline_ratings").rows_where(
                "question_id = ?", [qid], order_by="id"
            )
            return [("baseline_ratings", r) for r in rows]
        if step == "opinions":
            rows = self.store.db.table("opinions").rows_where(
                "question_id = ?", [qid], order_by="id"
            )
            return [("opinions", r) for r in rows]
        ids = [c.id for c in self.round_candidates(include_replaced=True)] or [-1]
        marks = ",".join("?" * len(ids))
        table = "ratings" if step == "rating" else "critiques"
        if step == "critique":
            sel = self.selection()
            ids = [sel["candidate_id"]] if sel else [-1]
            marks = "?"
        rows = self.store.db.table(table).rows_where(
            f"candidate_id IN ({marks})", ids, order_by="id"
        )
        return [(table, r) for r in rows]

    def last_entry(self, step: str) -> int | None:
        """Who made the latest entry of this step (for the current question), if anyone."""
        entries = self._entries(step) if step in UNDOABLE else []
        return int(entries[-1][1]["participant_id"]) if entries else None

    def undo_last(self, step: str) -> int:
        """Remove the latest participant's entries of this step; they will be asked again."""
        pid = self.last_entry(step)
        if pid is None:
            raise ValueError(f"There is no {UNDOABLE.get(step, step)} to undo.")
        removed: dict[str, list[dict[str, Any]]] = {}
        for table, row in self._entries(step):
            if row["participant_id"] == pid:
                removed.setdefault(table, []).append(row)
        if step == "rating":
            run_ids = self.round_run_ids() or [-1]
            marks = ",".join("?" * len(run_ids))
            removed["rankings"] = list(
                self.store.db.table("rankings").rows_where(
                    f"participant_id = ? AND run_id IN ({marks})", [pid, *run_ids]
                )
            )
        self.store.remove_entries(
            self.session_id,
            {t: [r["id"] for r in sorted(rs, key=lambda r: -r["id"])] for t, rs in removed.items()},
            {"undo": step, "participant_id": pid, "removed": removed},
        )
        return pid

    # -- generation ---------------------------------------------------------------------------
    def run_request(self) -> RunRequest:
        ops = self.opinions()
        people = [p for p in self.present if p["id"] in ops]
        s = self.settings
        rated = self.baselines()  # someone who skipped the position step counts as neutral (4)
        # the statement the baseline screen showed: the position statement, else the question
        position = self.question["position_statement"] or self.question["text"]
        return RunRequest(
            question=self.question["text"],
            opinions=tuple(ops[p["id"]] for p in people),
            names=tuple(p["pseudonym"] for p in people),
            n=s.n_candidates,
            alpha=s.alpha,
            seed=s.seed + 1000 * self.runs_done(),
            max_tokens=s.max_tokens,
            shortlist_k=s.shortlist_k,
            position=position if rated else "",
            baselines=tuple(float(rated.get(p["id"], 4)) for p in people) if rated else (),
            earlier=tuple(c.text for c in self.round_candidates()) if self.regenerating else (),
        )

    def needs_revision(self) -> bool:
        """After a critique round, the next generation revises the chosen statement.

        That is when the chosen statement belongs to the latest round and the room critiqued it
        (a regeneration repeats the latest run's kind).
        """
        if self.regenerating:
            return self._latest_run_kind() == "revision"
        sel = self.selection()
        return (
            sel is not None
            and sel["candidate_id"] in {c.id for c in self.round_candidates(True)}
            and bool(self.critiques_for(sel["candidate_id"]))
        )

    def next_request(self) -> RunRequest:
        request = self.run_request()
        if not self.needs_revision():
            return request
        sel = self.selection()
        assert sel is not None
        critiques = self.critiques_for(sel["candidate_id"])
        pid_of = {p["pseudonym"]: p["id"] for p in self.participants}
        return replace(
            request,
            previous_statement=sel["text"],
            critiques=tuple(critiques.get(pid_of[n], "") for n in request.participant_names()),
        )

    def runs_done(self) -> int:
        return int(
            self.store.db.execute(
                "SELECT count(*) FROM generation_runs WHERE question_id = ?", [self.question["id"]]
            ).fetchone()[0]
        )

    def rounds_done(self) -> int:
        """Rounds of generation for this question (a regeneration stays in its round)."""
        return int(
            self.store.db.execute(
                "SELECT count(DISTINCT round) FROM generation_runs WHERE question_id = ?",
                [self.question["id"]],
            ).fetchone()[0]
        )

    def _latest_run_kind(self) -> str:
        row = self.store.db.execute(
            "SELECT kind FROM generation_runs WHERE question_id = ? ORDER BY id DESC LIMIT 1",
            [self.question["id"]],
        ).fetchone()
        return str(row[0]) if row else "initial"

    @property
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

    def can_regenerate(self) -> bool:
        return self.latest_run_id() is not None and not self.raters()

    def request_regeneration(self) -> None:
        """New candidates for the same round; the ones already written stay in the pool."""
        if not self.can_regenerate():
            raise ValueError("The room has already rated these statements.")
        self.store.log_event(
            self.session_id,
            "regenerate",
            {"question_id": self.question["id"], "after_run_id": self.latest_run_id()},
        )

    def record_run(self, result: RunResult) -> int:
        names = result.request.participant_names()
        pid_of = {p["pseudonym"]: p["id"] for p in self.participants}
        regenerated = self.regenerating
        round_ = self.rounds_done() - 1 if regenerated else self.rounds_done()
        kind = "revision" if result.request.previous_statement else "initial"
        id_of = {c.text: c.id for c in self.round_candidates()} if regenerated else {}
        run_id, _ = store_run_result(
            self.store,
            self.session_id,
            self.question["id"],
            [pid_of[n] for n in names],
            result,
            round_,
            kind,
            [id_of.get(t) for t in result.request.earlier],  # None: reworded meanwhile
        )
        if regenerated:
            self.store.log_event(
                self.session_id, "regenerated", {"run_id": run_id, "round": round_}
            )
        return run_id

    def latest_run_id(self) -> int | None:
        row = self.store.db.execute(
            "SELECT max(id) FROM generation_runs WHERE question_id = ?", [self.question["id"]]
        ).fetchone()
        return row[0]

    def round_number(self, round_: int | None = None) -> int:
        """``round_``, or the latest round of this question (-1 before any run)."""
        if round_ is not None:
            return round_
        row = self.store.db.execute(
            "SELECT max(round) FROM generation_runs WHERE question_id = ?", [self.question["id"]]
        ).fetchone()
        return -1 if row[0] is None else int(row[0])

    def round_run_ids(self, round_: int | None = None) -> list[int]:
        """The runs of a round (default: the latest): the first run and any regenerations."""
        rows = self.store.db.execute(
            "SELECT id FROM generation_runs WHERE question_id = ? AND round = ? ORDER BY id",
            [self.question["id"], self.round_number(round_)],
        ).fetchall()
        return [int(r[0]) for r in rows]

    def round_candidates(
        self, include_replaced: bool = False, round_: int | None = None
    ) -> list[CandidateView]:
        """A round's candidates (default: the latest) in the order written, with labels unique
        within the question: a later round's letters follow on from the earlier rounds'."""
        number = self.round_number(round_)
        run_ids = self.round_run_ids(number) or [-1]
        marks = ",".join("?" * len(run_ids))
        rows = list(
            self.store.db.query(
                f"SELECT id, text, replaces_id FROM candidates WHERE run_id IN ({marks}) "
                "ORDER BY id",
                run_ids,
            )
        )
        originals = int(
            self.store.db.execute(
                "SELECT count(*) FROM candidates c JOIN generation_runs g ON g.id = c.run_id "
                "WHERE g.question_id = ? AND g.round < ? AND c.replaces_id IS NULL",
                [self.question["id"], number],
            ).fetchone()[0]
        )
        replaced = {r["replaces_id"] for r in rows if r["replaces_id"]}
        labels: dict[int, str] = {}
        out = []
        for r in rows:
            if r["replaces_id"]:
                labels[r["id"]] = labels.get(r["replaces_id"], "?") + "′"
            else:
                labels[r["id"]] = candidate_label(originals)
                originals += 1
            if include_replaced or r["id"] not in replaced:
                out.append(CandidateView(r["id"], r["text"], labels[r["id"]], r["replaces_id"]))
        return out

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
        return model_originals(self.store.db, self.session_id).get(cid)

    def edit_candidate(self, cid: int, text: str) -> int:
        """The facilitator rewords a candidate before the room rates it.

        A new candidate replaces the old one (kept, and named in ``replaces_id``); it takes the
        old one's predictions, which were made for the original wording.
        """
        text = " ".join(text.split())
        if not text:
            raise ValueError("The statement is empty.")
        if self.raters():
            raise ValueError("The room has already rated these statements.")
        if cid not in {c.id for c in self.round_candidates()}:
            raise ValueError(
                "That statement is an earlier round's choice: it stays as the room rated it."
            )
        old = self.store.db.table("candidates").get(cid)
        if text == old["text"]:
            raise ValueError("The wording is unchanged.")
        return self.store.add_edited_candidate(self.session_id, cid, text)

    # -- scores, trade-offs, choice -----------------------------------------------------------
    def scores(self) -> Scores:
        """The latest round's candidates x the participants present, and an earlier round's
        choice (last, with its ratings from then) so that it stays in the running."""
        cands = self.round_candidates()
        earlier = self.previous_choice()
        carried = None
        if earlier is not None and earlier[1].id not in {c.id for c in cands}:
            carried = len(cands)
            cands.append(earlier[1])
        people = self.present
        predicted, rated = score_matrices(
            self.store.db, [c.id for c in cands], [p["id"] for p in people]
        )
        return Scores(cands, predicted, rated, [p["pseudonym"] for p in people], carried)

    def order_at(self, alpha: float, scores: Scores | None = None) -> list[int]:
        """Candidate positions best first by W_alpha on ratings-where-given."""
        return WelfareFunction(alpha).order((scores or self.scores()).combined)

    def welfare_at(self, alpha: float, scores: Scores | None = None) -> np.ndarray:
        return WelfareFunction(alpha).of((scores or self.scores()).combined)

    def tradeoff(self, scores: Scores | None = None, rows: Sequence[int] | None = None) -> TradeOff:
        """The analysis over ``rows`` (candidate positions; all by default): indices in the
        result refer to positions within ``rows``."""
        s = scores or self.scores()
        return WelfareFunction().tradeoff(s.combined if rows is None else s.combined[list(rows)])

    def shortlist(self, k: int | None = None, alpha: float | None = None) -> list[CandidateView]:
        """The statements the room rates: as chosen when the latest run was made (shortlist.py:
        different statements, each group of opinions covered while predictions are near chance),
        an edited statement in place of its original; for runs recorded before that, or when an
        ``alpha`` is asked for, the top k by predicted welfare."""
        s = self.scores()
        k = k or self.settings.shortlist_k
        if alpha is None:
            stored = self._stored_shortlist(s.candidates)
            if stored:
                return stored[:k]
        a = self.settings.alpha if alpha is None else alpha
        order = [i for i in WelfareFunction(a).order(s.predicted) if i != s.carried]
        return [s.candidates[i] for i in order[:k]]

    def _stored_shortlist(self, current: list[CandidateView]) -> list[CandidateView]:
        # A regeneration chooses over the whole round and moves the marks (store_run_result), so
        # each rank is held once; a file from before that holds one shortlist per run of the
        # round, and the latest run's is the one that counted.
        run_ids = self.round_run_ids() or [-1]
        marks = ",".join("?" * len(run_ids))
        rows = self.store.db.query(
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

    def run_screening(self) -> tuple[str, int, list[dict[str, Any]]]:
        """(shortlist rule, near-duplicates folded, rejected samples) of the latest run."""
        run_id = self.latest_run_id()
        if run_id is None:
            return "", 0, []
        run = self.store.db.table("generation_runs").get(run_id)
        folded = self.store.db.execute(
            "SELECT coalesce(sum(folded), 0) FROM candidates WHERE run_id = ?", [run_id]
        ).fetchone()[0]
        return str(run.get("shortlist_rule") or ""), int(folded), self.store.rejected(run_id)

    def shortlist_for(self, pid: int) -> list[CandidateView]:
        """The shortlist in a random order of this participant's own (stable on resume)."""
        items = self.shortlist()
        random.Random(f"{self.session_id}-{pid}-{self.round_run_ids()[0]}").shuffle(items)
        return items

    def record_rating(
        self, pid: int, cid: int, agreement: int, quality: int | None, seconds: float | None
    ) -> None:
        self.store.add_rating(cid, pid, agreement, quality, seconds)

    def record_ranking(self, pid: int, ranks: dict[int, int]) -> None:
        """``ranks``: candidate id -> rank; a permutation of 1..n or nothing."""
        problem = ranking_problem(dict(enumerate(ranks.values(), 1)), len(ranks))
        if problem is not None:
            raise ValueError(problem[0])
        run_id = self.latest_run_id()
        assert run_id is not None
        self.store.add_ranking(pid, run_id, ranks)

    def raters(self) -> set[int]:
        run_ids = self.round_run_ids() or [-1]
        marks = ",".join("?" * len(run_ids))
        rows = self.store.db.query(
            "SELECT DISTINCT r.participant_id FROM ratings r JOIN candidates c "
            f"ON c.id = r.candidate_id WHERE c.run_id IN ({marks})",
            run_ids,
        )
        return {r["participant_id"] for r in rows}

    def schulze(self) -> SchulzeResult | None:
        s = self.scores()
        index = {c.id: i for i, c in enumerate(s.candidates)}
        ballots = []
        run_ids = self.round_run_ids() or [-1]
        marks = ",".join("?" * len(run_ids))
        for r in self.store.db.table("rankings").rows_where(f"run_id IN ({marks})", run_ids):
            ranks = json.loads(r["ranking"])
            ballots.append({index[int(c)]: float(v) for c, v in ranks.items() if int(c) in index})
        if not ballots:
            return None
        return schulze(len(s.candidates), ballots, seed=self.session_id)

    def select(self, cid: int, method: str, alpha: float, chosen_by: str) -> None:
        s = self.scores()
        index = next((i for i, c in enumerate(s.candidates) if c.id == cid), None)
        if index is None:
            raise ValueError("That statement is not among this round's statements.")
        if s.has_ratings and not s.is_rated(index):
            raise ValueError("Only a statement the room has rated can be chosen.")
        self.store.add_selection(
            self.session_id, self.question["id"], cid, method, alpha, chosen_by
        )

    def selection(self) -> dict[str, Any] | None:
        rows = list(
            self.store.db.query(
                "SELECT s.*, c.text FROM selections s JOIN candidates c ON c.id = s.candidate_id "
                "WHERE s.question_id = ? ORDER BY s.id DESC LIMIT 1",
                [self.question["id"]],
            )
        )
        return rows[0] if rows else None

    # -- critique round -----------------------------------------------------------------------
    def record_critique(self, pid: int, cid: int, text: str) -> None:
        self.store.add_critique(pid, cid, text)

    def start_critique_round(self) -> None:
        """From the result screen: the room critiques the chosen statement, the model revises."""
        sel = self.selection()
        if sel is None:
            raise ValueError("Choose a statement first.")
        self.store.log_event(
            self.session_id, "critique_round", {"candidate_id": sel["candidate_id"]}
        )

    def critiques_for(self, cid: int) -> dict[int, str]:
        rows = self.store.db.table("critiques").rows_where("candidate_id = ?", [cid], order_by="id")
        return {r["participant_id"]: r["text"] for r in rows}

    # -- results ------------------------------------------------------------------------------
    def results_list(self) -> list[ResultRow]:
        """Every candidate of this question, every round, with predictions and the room's ratings
        (over the participants present)."""
        present = [p["id"] for p in self.present]
        marks = ",".join("?" * len(present))
        sel = self.selection()
        chosen = sel["candidate_id"] if sel else None
        rounds = self.rounds_done()
        out = []
        for r in range(rounds):
            for c in self.round_candidates(include_replaced=True, round_=r):
                pred = [
                    row[0]
                    for row in self.store.db.execute(
                        f"SELECT agreement FROM predictions WHERE candidate_id = ? "
                        f"AND participant_id IN ({marks})",
                        [c.id, *present],
                    )
                ]
                rated = [
                    row[0]
                    for row in self.store.db.execute(
                        f"SELECT agreement FROM ratings WHERE candidate_id = ? "
                        f"AND participant_id IN ({marks})",
                        [c.id, *present],
                    )
                ]
                replaced = c.id in {x.edited_from for x in self.round_candidates(True, r)}
                out.append(
                    ResultRow(
                        label=(f"{r + 1}·" if rounds > 1 else "") + c.label,
                        text=c.text,
                        predicted_mean=float(np.mean(pred)) if pred else math.nan,
                        predicted_min=float(np.min(pred)) if pred else math.nan,
                        rated_mean=float(np.mean(rated)) if rated else math.nan,
                        n_rated=len(rated),
                        chosen=c.id == chosen,
                        note="reworded below"
                        if replaced
                        else ("edited by the facilitator" if c.edited_from else ""),
                    )
                )
        return out

    def ratings_of(self, cid: int) -> dict[int, int]:
        """participant id -> the agreement they gave the statement, over those present."""
        rows = self.store.db.table("ratings").rows_where("candidate_id = ?", [cid], order_by="id")
        present = {p["id"] for p in self.present}
        return {r["participant_id"]: r["agreement"] for r in rows if r["participant_id"] in present}

    def final_ratings(self) -> dict[int, int]:
        sel = self.selection()
        return {} if sel is None else self.ratings_of(sel["candidate_id"])

    def rated_lower_than_before(self) -> tuple[int, CandidateView, float, float] | None:
        """(round, earlier choice, its mean, the new choice's mean) when this round's choice is
        rated lower by the room than the choice of an earlier round that stayed in the running."""
        sel, earlier = self.selection(), self.previous_choice()
        if sel is None or earlier is None or sel["candidate_id"] == earlier[1].id:
            return None
        new, old = self.ratings_of(sel["candidate_id"]), self.ratings_of(earlier[1].id)
        if not new or not old:
            return None
        new_mean, old_mean = float(np.mean(list(new.values()))), float(np.mean(list(old.values())))
        return (earlier[0], earlier[1], old_mean, new_mean) if new_mean < old_mean else None

    def keep_previous_choice(self) -> None:
        """Choose again the earlier round's choice (offered when the new one is rated lower)."""
        earlier = self.previous_choice()
        if earlier is None:
            raise ValueError("There is no earlier round's choice to keep.")
        prev = self.store.db.execute(
            "SELECT method, alpha FROM selections WHERE question_id = ? AND candidate_id = ? "
            "ORDER BY id DESC LIMIT 1",
            [self.question["id"], earlier[1].id],
        ).fetchone()
        self.select(
            earlier[1].id,
            str(prev[0]),
            WelfareFunction.from_json(prev[1]).alpha,
            f"facilitator: kept round {earlier[0] + 1}'s choice",
        )

    def result_warnings(self) -> list[str]:
        """Plain sentences the facilitator should read out before presenting the result."""
        sel = self.selection()
        if sel is None:
            return []
        out = []
        position = self.question["position_statement"] or self.question["text"]
        if _similar(sel["text"], position):
            out.append(
                "The chosen statement is (nearly) the position statement the room started from: "
                "it does not add common ground."
            )
        before, after = self.agreement_before_after()
        if math.isfinite(before.gia) and math.isfinite(after.gia) and after.gia <= before.gia:
            out.append(
                f"Group agreement did not improve ({before.gia:.2f} before, {after.gia:.2f} "
                "with the chosen statement). Consider a critique round."
            )
        lower = self.rated_lower_than_before()
        if lower is not None:
            round_, earlier, old_mean, new_mean = lower
            out.append(
                f"The room rated the new choice lower (mean {new_mean:.2f}) than round "
                f"{round_ + 1}'s choice {earlier.label} (mean {old_mean:.2f}): you can keep "
                f"round {round_ + 1}'s choice."
            )
        return out

    def agreement_before_after(self) -> tuple[Agreement, Agreement]:
        present = {p["id"] for p in self.present}
        return (
            group_internal_agreement([v for p, v in self.baselines().items() if p in present]),
            group_internal_agreement(list(self.final_ratings().values())),
        )
