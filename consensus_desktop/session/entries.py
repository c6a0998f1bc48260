"""What participants enter on their pages, and undoing the latest of it."""

from __future__ import annotations

from typing import Any

from consensus_desktop.session.results import SessionResults
from consensus_desktop.session.values import (
    UNDOABLE,
    ranking_problem,
)


class Entries(SessionResults):
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

    def record_critique(self, pid: int, cid: int, text: str) -> None:
        self.store.add_critique(pid, cid, text)
