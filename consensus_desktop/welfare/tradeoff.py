"""What the facilitator's slider shows: how the winner changes from utilitarian to Rawlsian.

The winner as a function of alpha in [0, inf] is computed exactly:

1. Candidates that are *generalized-Lorenz dominated* (the cumulative sums of their sorted utilities
   are everywhere <= another's) can never win for any alpha >= 0 — every isoelastic W is increasing
   and Schur-concave — so they are pruned.
2. Between the survivors, on alpha mapped to t = alpha / (1 + alpha) in [0, 1], the upper envelope
   is bracketed on a grid and every change of winner is located by bisection to ``tol`` in t.
   Ties are broken as :func:`~consensus_desktop.welfare.isoelastic.ranking` does (leximin, then
   input order); at alpha = inf that makes the winner the leximin candidate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from consensus_desktop.welfare.isoelastic import winner
from consensus_desktop.welfare.utilities import utility_to_likert


def alpha_from_t(t: float) -> float:
    return math.inf if t >= 1.0 else t / (1.0 - t)


def t_from_alpha(alpha: float) -> float:
    return 1.0 if math.isinf(alpha) else alpha / (1.0 + alpha)


@dataclass(frozen=True)
class Stretch:
    """Candidate ``winner`` wins for alpha in [alpha_from, alpha_to]."""

    winner: int
    alpha_from: float
    alpha_to: float


@dataclass(frozen=True)
class CandidateSummary:
    index: int
    mean: float  # on the 1–7 scale
    min: float
    max: float
    worst_off: int  # participant index with the lowest agreement
    best_served: int


@dataclass(frozen=True)
class TradeOff:
    stretches: tuple[Stretch, ...]
    summaries: tuple[CandidateSummary, ...]
    utilitarian_winner: int
    rawlsian_winner: int
    price_of_fairness: float  # mean agreement (1–7 points) given up by Rawlsian vs utilitarian

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return tuple(s.alpha_from for s in self.stretches[1:])

    def winner_at(self, alpha: float) -> int:
        for s in self.stretches:
            if alpha <= s.alpha_to:
                return s.winner
        return self.stretches[-1].winner


def lorenz_undominated(u: NDArray[np.float64]) -> NDArray[np.intp]:
    """Indices of candidates that can win for some alpha (complete rows only).

    A candidate is dropped when a kept one generalized-Lorenz dominates it: its W is then never
    higher, and where the two are equal (same mean, at alpha = 0) the leximin tie-break prefers
    the dominating one. Of identical candidates the first is kept.
    """
    cums = np.cumsum(np.sort(u, axis=1), axis=1)
    order = np.lexsort([np.arange(len(u)), -cums[:, -1]])  # best mean first, then input order
    kept: list[int] = []
    for i in order:
        if kept and np.any(np.all(cums[kept] >= cums[i], axis=1)):
            continue
        kept.append(int(i))
    return np.array(sorted(kept), dtype=np.intp)


def _argmax_at(u: NDArray[np.float64], cands: NDArray[np.intp], t: float) -> int:
    return int(cands[winner(u[cands], alpha_from_t(t))])


def winner_stretches(
    utilities: ArrayLike, grid: int = 512, tol: float = 1e-12
) -> tuple[Stretch, ...]:
    u = np.asarray(utilities, dtype=np.float64)
    if u.ndim != 2 or u.shape[0] == 0:
        raise ValueError("need a candidates x participants matrix")
    if not np.all(np.isfinite(u)):
        raise ValueError("fill or drop missing values before the trade-off analysis")
    cands = lorenz_undominated(u)
    ts = np.linspace(0.0, 1.0, grid + 1)
    winners = [_argmax_at(u, cands, float(t)) for t in ts]
    changes: list[tuple[float, int]] = []
    for k in range(grid):
        lo, hi = float(ts[k]), float(ts[k + 1])
        w_lo, w_hi = winners[k], winners[k + 1]
        # Bisect each change; an interval may hide more than one change, so recurse on both halves.
        stack = [(lo, hi, w_lo, w_hi)]
        found: list[tuple[float, int]] = []
        while stack:
            a, b, wa, wb = stack.pop()
            if wa == wb:
                continue
            if b - a <= tol:
                found.append((b, wb))
                continue
            m = 0.5 * (a + b)
            wm = _argmax_at(u, cands, m)
            stack.append((m, b, wm, wb))
            stack.append((a, m, wa, wm))
        changes.extend(sorted(found))
    stretches: list[Stretch] = []
    current, start = winners[0], 0.0
    for t, w in changes:
        if w != current:
            stretches.append(Stretch(current, alpha_from_t(start), alpha_from_t(t)))
            current, start = w, t
    stretches.append(Stretch(current, alpha_from_t(start), math.inf))
    return tuple(stretches)


def summarize(utilities: ArrayLike) -> tuple[CandidateSummary, ...]:
    likert = utility_to_likert(np.asarray(utilities, dtype=np.float64))
    out = []
    for i, row in enumerate(likert):
        ok = np.isfinite(row)
        if not ok.any():
            out.append(CandidateSummary(i, math.nan, math.nan, math.nan, -1, -1))
            continue
        masked_lo = np.where(ok, row, np.inf)
        masked_hi = np.where(ok, row, -np.inf)
        out.append(
            CandidateSummary(
                i,
                float(row[ok].mean()),
                float(row[ok].min()),
                float(row[ok].max()),
                int(np.argmin(masked_lo)),
                int(np.argmax(masked_hi)),
            )
        )
    return tuple(out)


def analyse(utilities: ArrayLike) -> TradeOff:
    u = np.asarray(utilities, dtype=np.float64)
    stretches = winner_stretches(u)
    summaries = summarize(u)
    util_w, rawls_w = stretches[0].winner, stretches[-1].winner
    price = summaries[util_w].mean - summaries[rawls_w].mean
    return TradeOff(stretches, summaries, util_w, rawls_w, price)
