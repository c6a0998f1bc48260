"""Scores, the shortlist the room rates, and the choice made by welfare or kept from an earlier round."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence

import numpy as np

from consensus_desktop.session.memo import remembered
from consensus_desktop.session.results import SessionResults
from consensus_desktop.session.values import (
    CandidateView,
    Scores,
)
from consensus_desktop.store.score_rows import score_matrices
from consensus_desktop.welfare.function import WelfareFunction
from consensus_desktop.welfare.schulze import SchulzeResult, schulze
from consensus_desktop.welfare.tradeoff import TradeOff


class Choice(SessionResults):
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
