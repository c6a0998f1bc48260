"""The predictions and ratings of a set of candidates as matrices (the session logic, the
report and assemblies read them so)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sqlite_utils


def score_matrices(
    db: sqlite_utils.Database,
    candidate_ids: Sequence[int],
    pids: Sequence[int],
    no_prediction: float = 4.0,
) -> tuple[np.ndarray, np.ndarray]:
    """(predicted, rated) candidates x participants, in the given orders; NaN where nobody rated,
    and ``no_prediction`` (neutral 4) where a participant has none (joined late), explicitly."""
    predicted = np.full((len(candidate_ids), len(pids)), np.nan)
    rated = np.full((len(candidate_ids), len(pids)), np.nan)
    index = {c: i for i, c in enumerate(candidate_ids)}
    col = {pid: j for j, pid in enumerate(pids)}
    ids = list(index) or [-1]
    marks = ",".join("?" * len(ids))
    for table, matrix in (("predictions", predicted), ("ratings", rated)):
        for cid, pid, agreement in db.execute(
            f"SELECT candidate_id, participant_id, agreement FROM {table} "
            f"WHERE candidate_id IN ({marks}) ORDER BY id",
            ids,
        ):
            if pid in col:
                matrix[index[cid], col[pid]] = agreement
    return np.where(np.isfinite(predicted), predicted, no_prediction), rated
