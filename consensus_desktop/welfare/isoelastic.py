"""Isoelastic social welfare W_alpha over a candidates x participants utility matrix.

    W_alpha(u) = [(1/n) sum_i u_i^(1-alpha)]^(1/(1-alpha))

alpha = 0 is the mean (utilitarian), alpha = 1 the geometric mean (Nash), alpha -> inf the min
(Rawlsian). Each of those is computed exactly. Elsewhere the power mean is evaluated relative to the
row's max (alpha < 1) or min (alpha > 1), so every power lies in (0, 1]: no overflow, no NaN, and the
value moves continuously into the min as alpha grows.

Missing values (NaN) are explicit: a candidate's welfare is computed over the participants who have
a value for it; a candidate with no values has welfare NaN and ranks last.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

NASH_TOLERANCE = 1e-9


def _masked(u: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    if np.any(u[np.isfinite(u)] <= 0):
        raise ValueError("utilities must be positive (map agreement with likert_to_utility)")
    return u, np.isfinite(u)


def welfare(utilities: ArrayLike, alpha: float) -> NDArray[np.float64]:
    """W_alpha along the last axis; NaN entries are left out of their row."""
    if alpha < 0 or math.isnan(alpha):
        raise ValueError("alpha must be >= 0 (or inf)")
    u, ok = _masked(np.asarray(utilities, dtype=np.float64))
    count = ok.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if math.isinf(alpha):
            out = np.where(ok, u, np.inf).min(axis=-1)
        elif alpha == 0:
            out = np.where(ok, u, 0.0).sum(axis=-1) / count
        elif abs(alpha - 1.0) < NASH_TOLERANCE:
            out = np.exp(np.where(ok, np.log(np.where(ok, u, 1.0)), 0.0).sum(axis=-1) / count)
        else:
            e = 1.0 - alpha
            ref = (
                np.where(ok, u, -np.inf).max(axis=-1)
                if e > 0
                else np.where(ok, u, np.inf).min(axis=-1)
            )
            ratio = np.where(ok, u, 1.0) / ref[..., None]
            powered = np.where(ok, np.exp(e * np.log(ratio)), 0.0)
            mean = powered.sum(axis=-1) / count
            out = ref * np.exp(np.log(mean) / e)
    return np.where(count > 0, out, np.nan)


TIE_TOLERANCE = 1e-12  # utilities lie in (0, 1]: closer welfare values count as a tie


def _leximin_keys(u: NDArray[np.float64]) -> list[NDArray[np.float64]]:
    """np.lexsort keys (last is primary) ranking rows by leximin, best first."""
    rows = np.sort(np.where(np.isfinite(u), u, np.inf), axis=-1)
    return [-rows[:, j] for j in range(rows.shape[1] - 1, -1, -1)]


def ranking(utilities: ArrayLike, alpha: float) -> NDArray[np.intp]:
    """Candidate indices best first; NaN welfare last.

    Ties (welfare within ``TIE_TOLERANCE``) are broken by leximin -- compare the worst-off
    participant, then the next worst, … -- and then by input order. Leximin is the limit of the
    ranking as alpha grows, so large alphas whose welfare values agree to double precision still
    rank as the exact values would.
    """
    u = np.asarray(utilities, dtype=np.float64)
    w = welfare(u, alpha)
    key = np.where(np.isnan(w), -np.inf, np.round(w / TIE_TOLERANCE))
    return np.lexsort([np.arange(len(key)), *_leximin_keys(u), -key])


def winner(utilities: ArrayLike, alpha: float) -> int:
    """The best candidate, with ranking's tie-break (computed without sorting everything)."""
    u = np.asarray(utilities, dtype=np.float64)
    w = welfare(u, alpha)
    if np.all(np.isnan(w)):
        return 0
    best = np.nanmax(w)
    tied = np.flatnonzero(w >= best - TIE_TOLERANCE)
    if len(tied) == 1:
        return int(tied[0])
    return int(tied[np.lexsort([tied, *_leximin_keys(u[tied])])[0]])


def alpha_to_json(alpha: float) -> float | str:
    """alpha as stored in JSON (sessions, CLI output): a number, or "inf" for Rawlsian."""
    return "inf" if math.isinf(alpha) else alpha


def alpha_from_json(value: float | str) -> float:
    """The inverse of :func:`alpha_to_json`."""
    return math.inf if value == "inf" else float(value)
