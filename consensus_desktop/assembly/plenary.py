"""The plenary: one statement for the whole room, written from the tables' statements.

The prompt holds one "opinion" per table, its chosen statement, labelled with the table's size.
Agreement with every plenary candidate is predicted for every member of every table from their
own opinion (N + P embeddings, never N x P model calls), shifted by their own offset where they
rated at their table. Welfare runs over all members; each candidate also gets its worst-off table
(lowest mean) beside its worst-off person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from consensus_desktop.assembly.tables import Table
from consensus_desktop.pipeline import RunResult
from consensus_desktop.run_request import RunRequest


def table_opinion(table: Table) -> str:
    """A table's statement as it stands in the plenary prompt."""
    return f"(agreed by a table of {table.size}) {table.statement}"


def plenary_request(tables: Sequence[Table], **settings: Any) -> RunRequest:
    """The run for a plenary; ``settings`` are further :class:`RunRequest` fields (n, alpha,
    seed, max_tokens, temperature, n_orders…), the request's defaults otherwise."""
    return RunRequest(
        question=tables[0].question,
        opinions=tuple(table_opinion(t) for t in tables),
        names=tuple(t.label for t in tables),
        raters=tuple(m.opinion for t in tables for m in t.members),
        rater_names=tuple(name for t in tables for name in t.member_names()),
        rater_offsets=tuple(m.offset for t in tables for m in t.members),
        **settings,
    )


@dataclass(frozen=True)
class TableView:
    """Candidates x tables: each table's mean and min predicted agreement (1–7)."""

    labels: tuple[str, ...]
    mean: np.ndarray
    min: np.ndarray
    worst_table: np.ndarray  # per candidate: index of the table with the lowest mean
    worst_person: np.ndarray  # per candidate: column of the lowest agreement


def table_view(agreement: np.ndarray, labels: Sequence[str], sizes: Sequence[int]) -> TableView:
    """Vectorised over candidates; members of a table are contiguous columns of ``agreement``."""
    a = np.asarray(agreement, dtype=np.float64)
    if sum(sizes) != a.shape[1] or min(sizes, default=0) < 1:
        raise ValueError("one column per member, each table with at least one member")
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
    mean = np.add.reduceat(a, starts, axis=1) / np.asarray(sizes, dtype=np.float64)
    low = np.minimum.reduceat(a, starts, axis=1)
    return TableView(tuple(labels), mean, low, mean.argmin(axis=1), a.argmin(axis=1))


def view_of(result: RunResult, tables: Sequence[Table]) -> TableView:
    """The table view of a plenary run's ranked candidates (rows in ranked order)."""
    ranked = np.array([c.agreement for c in result.candidates], dtype=np.float64)
    return table_view(ranked, [t.label for t in tables], [t.size for t in tables])


def _r(x: float) -> float:
    return round(float(x), 4)


def plenary_json(result: RunResult, tables: Sequence[Table], assembly: str = "") -> dict[str, Any]:
    """What `plenary --json` prints: the run's fields, per-candidate table summaries and the
    tables themselves."""
    out = result.to_json()
    view = view_of(result, tables)
    names = result.request.rated_by()
    table_of = [t.label for t in tables for _ in t.members]
    candidates: list[dict[str, Any]] = out["candidates"]  # type: ignore[assignment]
    for i, cand in enumerate(candidates):
        cand["tables"] = [
            {"label": label, "mean": _r(view.mean[i, k]), "min": _r(view.min[i, k])}
            for k, label in enumerate(view.labels)
        ]
        k = int(view.worst_table[i])
        cand["worst_off_table"] = {"label": view.labels[k], "mean": _r(view.mean[i, k])}
        j = int(view.worst_person[i])
        cand["worst_off_person"] = {
            "name": names[j],
            "table": table_of[j],
            "agreement": cand["agreement"][j],
        }
    out["assembly"] = assembly or next((t.assembly for t in tables if t.assembly), "")
    out["question"] = result.request.question
    out["tables"] = [
        {
            "label": t.label,
            "file": t.path.name,
            "session_uuid": t.session_uuid,
            "size": t.size,
            "statement": t.statement,
            "members": list(t.member_names()),
            "statement_ratings": [m.statement_rating for m in t.members],
            "offsets": [_r(m.offset) for m in t.members],
        }
        for t in tables
    ]
    out["tables_summary"] = [
        {
            "label": t.label,
            "size": t.size,
            "best_candidate_mean": _r(view.mean[0, k]),
            "best_candidate_min": _r(view.min[0, k]),
            "mean_over_candidates": _r(view.mean[:, k].mean()),
        }
        for k, t in enumerate(tables)
    ]
    return out
