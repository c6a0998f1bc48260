"""One facilitated session, step by step: the logic behind the app's screens (no Qt).

The screens call this object and show what it returns; everything a participant or the facilitator
confirms goes straight to the store. Reopening a session resumes at the step it was on.

Steps: setup -> baseline -> opinions -> generation -> tradeoffs -> rating -> (critique ->
generation -> tradeoffs -> rating) -> results.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from consensus_desktop.pipeline import RunRequest, RunResult
from consensus_desktop.store.recording import store_run_result
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.welfare.group_metrics import Agreement, group_internal_agreement
from consensus_desktop.welfare.isoelastic import ranking, welfare
from consensus_desktop.welfare.schulze import SchulzeResult, schulze
from consensus_desktop.welfare.tradeoff import TradeOff, analyse
from consensus_desktop.welfare.utilities import likert_to_utility

STEPS = (
    "setup",
    "baseline",
    "opinions",
    "generation",
    "tradeoffs",
    "rating",
    "critique",
    "results",
)
MIN_PARTICIPANTS, MAX_PARTICIPANTS = 3, 12


@dataclass
class Settings:
    n_candidates: int = 8
    alpha: float = 0.0
    shortlist_k: int = 4
    critique_round: bool = False
    max_tokens: int = 60
    seed: int = 1234
    question_index: int = 0  # which of the session's questions the room is on

    def to_json(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["alpha"] = "inf" if math.isinf(self.alpha) else self.alpha
        return d

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Settings:
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        if known.get("alpha") == "inf":
            known["alpha"] = math.inf
        return cls(**known)


@dataclass(frozen=True)
class CandidateView:
    id: int
    text: str


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
    combined: np.ndarray = field(init=False)
    offsets: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        known = np.isfinite(self.rated)
        n = known.sum(axis=0)
        diff = np.where(known, self.rated - self.predicted, 0.0).sum(axis=0)
        self.offsets = np.where(n > 0, diff / np.maximum(n, 1) * n / (n + 1), 0.0)
        adjusted = np.clip(self.predicted + self.offsets[None, :], 1.0, 7.0)
        self.combined = np.where(known, self.rated, adjusted)

    @property
    def has_ratings(self) -> bool:
        return bool(np.isfinite(self.rated).any())


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
        flow.go_to("baseline")
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

    def go_to(self, step: str) -> None:
        if step not in STEPS:
            raise ValueError(f"unknown step {step!r}")
        self.store.set_step(self.session_id, step)

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
        return self.store.participants(self.session_id)

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
        return [p for p in self.participants if p["id"] not in done]

    # -- generation ---------------------------------------------------------------------------
    def run_request(self) -> RunRequest:
        ops = self.opinions()
        people = [p for p in self.participants if p["id"] in ops]
        s = self.settings
        return RunRequest(
            question=self.question["text"],
            opinions=tuple(ops[p["id"]] for p in people),
            names=tuple(p["pseudonym"] for p in people),
            n=s.n_candidates,
            alpha=s.alpha,
            seed=s.seed + 1000 * self.rounds_done(),
            max_tokens=s.max_tokens,
        )

    def needs_revision(self) -> bool:
        """After a critique round, the next generation revises the chosen statement."""
        sel = self.selection()
        return (
            self.settings.critique_round
            and sel is not None
            and bool(self.critiques_for(sel["candidate_id"]))
            and self.rounds_done() == 1
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

    def rounds_done(self) -> int:
        return int(
            self.store.db.execute(
                "SELECT count(*) FROM generation_runs WHERE question_id = ?", [self.question["id"]]
            ).fetchone()[0]
        )

    def record_run(self, result: RunResult) -> int:
        names = result.request.participant_names()
        pid_of = {p["pseudonym"]: p["id"] for p in self.participants}
        round_ = self.rounds_done()
        run_id, _ = store_run_result(
            self.store,
            self.session_id,
            self.question["id"],
            [pid_of[n] for n in names],
            result,
            round_,
            "initial" if round_ == 0 else "revision",
        )
        return run_id

    def latest_run_id(self) -> int | None:
        row = self.store.db.execute(
            "SELECT max(id) FROM generation_runs WHERE question_id = ?", [self.question["id"]]
        ).fetchone()
        return row[0]

    # -- scores, trade-offs, choice -----------------------------------------------------------
    def scores(self, run_id: int | None = None) -> Scores:
        run_id = run_id or self.latest_run_id()
        cands = [
            CandidateView(r["id"], r["text"])
            for r in self.store.db.table("candidates").rows_where(
                "run_id = ?", [run_id], order_by="position"
            )
        ]
        pids = [p["id"] for p in self.participants]
        predicted = np.full((len(cands), len(pids)), np.nan)
        rated = np.full((len(cands), len(pids)), np.nan)
        index = {c.id: i for i, c in enumerate(cands)}
        col = {pid: j for j, pid in enumerate(pids)}
        ids = list(index) or [-1]
        marks = ",".join("?" * len(ids))
        for r in self.store.db.query(
            f"SELECT candidate_id, participant_id, agreement FROM predictions "
            f"WHERE candidate_id IN ({marks}) ORDER BY id",
            ids,
        ):
            predicted[index[r["candidate_id"]], col[r["participant_id"]]] = r["agreement"]
        for r in self.store.db.query(
            f"SELECT candidate_id, participant_id, agreement FROM ratings "
            f"WHERE candidate_id IN ({marks}) ORDER BY id",
            ids,
        ):
            rated[index[r["candidate_id"]], col[r["participant_id"]]] = r["agreement"]
        # a participant without a prediction (joined late) counts as neutral, explicitly
        predicted = np.where(np.isfinite(predicted), predicted, 4.0)
        return Scores(cands, predicted, rated)

    def order_at(self, alpha: float, scores: Scores | None = None) -> list[int]:
        """Candidate positions best first by W_alpha on ratings-where-given."""
        s = scores or self.scores()
        return [int(i) for i in ranking(likert_to_utility(s.combined), alpha)]

    def welfare_at(self, alpha: float, scores: Scores | None = None) -> np.ndarray:
        s = scores or self.scores()
        return welfare(likert_to_utility(s.combined), alpha) * 7

    def tradeoff(self, scores: Scores | None = None) -> TradeOff:
        s = scores or self.scores()
        return analyse(likert_to_utility(s.combined))

    def shortlist(self, k: int | None = None, alpha: float | None = None) -> list[CandidateView]:
        s = self.scores()
        k = k or self.settings.shortlist_k
        a = self.settings.alpha if alpha is None else alpha
        order = [int(i) for i in ranking(likert_to_utility(s.predicted), a)]
        return [s.candidates[i] for i in order[:k]]

    def shortlist_for(self, pid: int) -> list[CandidateView]:
        """The shortlist in a random order of this participant's own (stable on resume)."""
        items = self.shortlist()
        random.Random(f"{self.session_id}-{pid}-{self.latest_run_id()}").shuffle(items)
        return items

    def record_rating(
        self, pid: int, cid: int, agreement: int, quality: int | None, seconds: float | None
    ) -> None:
        self.store.add_rating(cid, pid, agreement, quality, seconds)

    def record_ranking(self, pid: int, ranks: dict[int, int]) -> None:
        run_id = self.latest_run_id()
        assert run_id is not None
        self.store.add_ranking(pid, run_id, ranks)

    def raters(self) -> set[int]:
        run_id = self.latest_run_id()
        rows = self.store.db.query(
            "SELECT DISTINCT r.participant_id FROM ratings r JOIN candidates c "
            "ON c.id = r.candidate_id WHERE c.run_id = ?",
            [run_id],
        )
        return {r["participant_id"] for r in rows}

    def schulze(self) -> SchulzeResult | None:
        s = self.scores()
        index = {c.id: i for i, c in enumerate(s.candidates)}
        ballots = []
        for r in self.store.db.table("rankings").rows_where("run_id = ?", [self.latest_run_id()]):
            ranks = json.loads(r["ranking"])
            ballots.append({index[int(c)]: float(v) for c, v in ranks.items() if int(c) in index})
        if not ballots:
            return None
        return schulze(len(s.candidates), ballots, seed=self.session_id)

    def select(self, cid: int, method: str, alpha: float | None, chosen_by: str) -> None:
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

    def critiques_for(self, cid: int) -> dict[int, str]:
        rows = self.store.db.table("critiques").rows_where("candidate_id = ?", [cid], order_by="id")
        return {r["participant_id"]: r["text"] for r in rows}

    # -- results ------------------------------------------------------------------------------
    def final_ratings(self) -> dict[int, int]:
        sel = self.selection()
        if sel is None:
            return {}
        rows = self.store.db.table("ratings").rows_where(
            "candidate_id = ?", [sel["candidate_id"]], order_by="id"
        )
        return {r["participant_id"]: r["agreement"] for r in rows}

    def agreement_before_after(self) -> tuple[Agreement, Agreement]:
        return (
            group_internal_agreement(list(self.baselines().values())),
            group_internal_agreement(list(self.final_ratings().values())),
        )
