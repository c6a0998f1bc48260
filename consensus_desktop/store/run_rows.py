"""What a generation run leaves in the library: the run, its candidates (and the facilitator's
rewordings), rejected samples, predictions, and the choice made from them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from consensus_desktop.store.database import now
from consensus_desktop.store.file_values import store_text
from consensus_desktop.store.store_core import StoreCore, _json, _pk, _stored
from consensus_desktop.welfare.isoelastic import alpha_to_json

MODEL = "model_mediator"
FACILITATOR_EDIT = "facilitator_edit"  # a model statement reworded by the facilitator


class RunRows(StoreCore):
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

    def move_shortlist_marks(
        self, question_id: int, round_: int, run_id: int, marks: Sequence[tuple[int, int | None]]
    ) -> None:
        """A regeneration chose the round's shortlist anew: only its marks stand, on this run's
        candidates and the earlier ones it chose ((rank, candidate id) each)."""
        self.db.execute(
            "UPDATE candidates SET shortlist_rank = NULL WHERE run_id IN (SELECT id FROM "
            "generation_runs WHERE question_id = ? AND round = ? AND id != ?)",
            [question_id, round_, run_id],
        )
        for rank, cid in marks:
            self.db.execute("UPDATE candidates SET shortlist_rank = ? WHERE id = ?", [rank, cid])
