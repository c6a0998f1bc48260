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

import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from consensus_desktop.pipeline import RunResult
from consensus_desktop.run_request import RunRequest
from consensus_desktop.session.queries import remembered, score_matrices
from consensus_desktop.session.recording import store_run_result
from consensus_desktop.session.results import SessionResults
from consensus_desktop.session.steps import step, then
from consensus_desktop.session.values import (
    MAX_PARTICIPANTS,
    MIN_PARTICIPANTS,
    UNDOABLE,
    CandidateView,
    Scores,
    Settings,
    ranking_problem,
)
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.welfare.function import WelfareFunction
from consensus_desktop.welfare.schulze import SchulzeResult, schulze
from consensus_desktop.welfare.tradeoff import TradeOff


class Facilitation(SessionResults):
    """The facilitator's and the participants' actions on one session (reads: SessionQueries)."""

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

    def go_to(self, name: str) -> None:
        self.store.set_step(self.session_id, step(name).name)

    def update_settings(self, settings: Settings) -> None:
        self.store.set_settings(self.session_id, settings.to_json())
        self.store.log_event(self.session_id, "settings", settings.to_json())

    def mark_absent(self, pid: int, absent: bool = True) -> None:
        s = self.settings
        ids = [i for i in s.absent if i != pid] + ([pid] if absent else [])
        if absent and len(self.participants) - len(ids) < 2:
            raise ValueError("At least two participants must stay present.")
        s.absent = ids
        self.store.set_settings(self.session_id, s.to_json())
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

    def next_question(self) -> None:
        """Move the room on to the session's next question (from the baseline step)."""
        if not self.has_next_question():
            raise ValueError("This was the session's last question.")
        s = self.settings
        s.question_index += 1
        self.update_settings(s)
        self.go_to("baseline")

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

    def record_baseline(self, pid: int, rating: int, seconds: float | None = None) -> None:
        self.store.add_baseline_rating(pid, self.question["id"], rating, seconds)

    def record_opinion(self, pid: int, text: str) -> None:
        if not text.strip():
            raise ValueError("The opinion is empty: please write a few words.")
        self.store.add_opinion(pid, self.question["id"], text)

    def correct_opinion(self, pid: int, text: str) -> None:
        current = self.store.current_opinions(self.question["id"])[pid]
        self.store.correct_opinion(current["id"], text, self.session_id)

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
            removed["rankings"] = [r for r in self.round_rankings() if r["participant_id"] == pid]
        self.store.remove_entries(
            self.session_id,
            {t: [r["id"] for r in sorted(rs, key=lambda r: -r["id"])] for t, rs in removed.items()},
            {"undo": step, "participant_id": pid, "removed": removed},
        )
        return pid

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
        old = self.candidate(cid)
        if text == old["text"]:
            raise ValueError("The wording is unchanged.")
        return self.store.add_edited_candidate(self.session_id, cid, text)

    @remembered
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

    def schulze(self) -> SchulzeResult | None:
        s = self.scores()
        index = {c.id: i for i, c in enumerate(s.candidates)}
        ballots = []
        present = {p["id"] for p in self.present}
        for r in self.round_rankings():
            if r["participant_id"] not in present:
                continue
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

    def keep_previous_choice(self) -> None:
        """Choose again the earlier round's choice (offered when the new one is rated lower)."""
        earlier = self.previous_choice()
        if earlier is None:
            raise ValueError("There is no earlier round's choice to keep.")
        prev = self.selection(earlier[1].id)
        assert prev is not None  # it was chosen then
        self.select(
            earlier[1].id,
            str(prev["method"]),
            WelfareFunction.from_json(prev["alpha"]).alpha,
            f"facilitator: kept round {earlier[0] + 1}'s choice",
        )
