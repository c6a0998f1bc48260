"""What the room reached on the current question: every statement with its predictions and
ratings, the agreement before and after, and what the facilitator should say before presenting
it. Read-only: the same facts for the result screen, the report and the projector."""

from __future__ import annotations

import math

import numpy as np

from consensus_desktop.session.queries import SessionQueries
from consensus_desktop.session.values import CandidateView, ResultRow, nearly_same
from consensus_desktop.store.score_rows import score_matrices
from consensus_desktop.welfare.group_metrics import Agreement, group_internal_agreement


class SessionResults(SessionQueries):
    def results_list(self) -> list[ResultRow]:
        """Every candidate of this question, every round, with predictions and the room's ratings
        (over the participants present)."""
        sel = self.selection()
        chosen = sel["candidate_id"] if sel else None
        rounds = [
            self.round_candidates(include_replaced=True, round_=r)
            for r in range(self.rounds_done())
        ]
        everyone = [c for cands in rounds for c in cands]
        predicted, rated = score_matrices(
            self.store.db, [c.id for c in everyone], [p["id"] for p in self.present], np.nan
        )
        out: list[ResultRow] = []
        for r, cands in enumerate(rounds):
            replaced = {x.edited_from for x in cands}
            for c in cands:
                k = len(out)
                pred = predicted[k][np.isfinite(predicted[k])]
                given = rated[k][np.isfinite(rated[k])]
                out.append(
                    ResultRow(
                        label=(f"{r + 1}·" if len(rounds) > 1 else "") + c.label,
                        text=c.text,
                        predicted_mean=float(np.mean(pred)) if pred.size else math.nan,
                        predicted_min=float(np.min(pred)) if pred.size else math.nan,
                        rated_mean=float(np.mean(given)) if given.size else math.nan,
                        n_rated=int(given.size),
                        chosen=c.id == chosen,
                        note="reworded below"
                        if c.id in replaced
                        else ("edited by the facilitator" if c.edited_from else ""),
                    )
                )
        return out

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

    def result_warnings(self) -> list[str]:
        """Plain sentences the facilitator should read out before presenting the result."""
        sel = self.selection()
        if sel is None:
            return []
        out = []
        position = self.question["position_statement"] or self.question["text"]
        if nearly_same(sel["text"], position):
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
