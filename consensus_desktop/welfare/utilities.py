"""From agreement to utility: one mapping for predictions and human ratings alike.

Agreement is on the paper's 7-point scale (1 strongly disagree … 4 neutral … 7 strongly agree).
A probability of agreement p in [0, 1] is first put on that scale as ``1 + 6p``.

Utility is ``u = r / 7``: positive for every rating (strongly disagree is 1/7, not 0), so the
isoelastic family is defined for all alpha (the geometric mean and the min never collapse to 0),
and it is a ratio scale: doubling u means twice the agreement points. Because predictions and
ratings share the mapping, a predicted 5.2 and a rated 5 are comparable utilities.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

LIKERT_MIN, LIKERT_MAX, LIKERT_NEUTRAL = 1.0, 7.0, 4.0
LIKERT_LABELS = (
    "Strongly disagree",
    "Disagree",
    "Somewhat disagree",
    "Neutral",
    "Somewhat agree",
    "Agree",
    "Strongly agree",
)


def likert_to_utility(ratings: ArrayLike) -> NDArray[np.float64]:
    """Map 1–7 agreement (NaN = missing, kept as NaN) to utilities in [1/7, 1]."""
    r = np.asarray(ratings, dtype=np.float64)
    finite = r[np.isfinite(r)]
    if finite.size and (finite.min() < LIKERT_MIN - 1e-9 or finite.max() > LIKERT_MAX + 1e-9):
        raise ValueError("agreement must lie on the 1–7 scale")
    return r / LIKERT_MAX


def utility_to_likert(utilities: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(utilities, dtype=np.float64) * LIKERT_MAX


def rating_to_vote(rating: float) -> int:
    """Polis-style vote from a 1–7 rating: agree 1 above neutral, disagree -1 below, pass 0."""
    return 1 if rating > LIKERT_NEUTRAL else -1 if rating < LIKERT_NEUTRAL else 0


def shift_predictions(predicted: ArrayLike, offsets: ArrayLike) -> NDArray[np.float64]:
    """Candidates x participants predictions moved by each participant's own offset (their mean
    rating minus prediction where they rated), kept on the 1–7 scale."""
    p = np.asarray(predicted, dtype=np.float64)
    return np.clip(p + np.asarray(offsets, dtype=np.float64)[None, :], LIKERT_MIN, LIKERT_MAX)
