"""Group-level measures from the paper and the Habermas Machine studies."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from consensus_desktop.welfare.utilities import LIKERT_NEUTRAL


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float  # bootstrap confidence interval
    high: float
    n: int

    def __str__(self) -> str:
        return f"{self.value:.2f} [{self.low:.2f}, {self.high:.2f}] (n={self.n})"


@dataclass(frozen=True)
class Agreement:
    gia: float  # |1 - 2 n_agree / (n_agree + n_disagree)|: 1 unanimous, 0 evenly split
    signed: float  # 2 share - 1: +1 all agree, -1 all disagree
    n_agree: int
    n_disagree: int
    n_neutral: int


def group_internal_agreement(ratings: ArrayLike) -> Agreement:
    """GIA on 7-point ratings; neutral (4) and missing (NaN) are ignored. NaN when no one leans."""
    r = np.asarray(ratings, dtype=np.float64)
    r = r[np.isfinite(r)]
    n_agree = int((r > LIKERT_NEUTRAL).sum())
    n_disagree = int((r < LIKERT_NEUTRAL).sum())
    n_neutral = int((r == LIKERT_NEUTRAL).sum())
    total = n_agree + n_disagree
    if total == 0:
        return Agreement(math.nan, math.nan, 0, 0, n_neutral)
    share = n_agree / total
    return Agreement(abs(1 - 2 * share), 2 * share - 1, n_agree, n_disagree, n_neutral)


def bootstrap(
    values: ArrayLike,
    statistic: Callable[[NDArray[np.float64]], float] = lambda v: float(np.mean(v)),
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> Estimate:
    """Percentile bootstrap over the rows of ``values`` (NaN rows dropped)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.all(np.isfinite(v.reshape(len(v), -1)), axis=1)] if v.size else v
    n = len(v)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    point = statistic(v)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    stats = np.array([statistic(v[i]) for i in idx])
    stats = stats[np.isfinite(stats)]
    if stats.size == 0:
        return Estimate(point, math.nan, math.nan, n)
    lo, hi = np.quantile(stats, [(1 - level) / 2, 1 - (1 - level) / 2])
    return Estimate(point, float(lo), float(hi), n)


def before_after(baseline: ArrayLike, final: ArrayLike, seed: int = 0) -> dict[str, Estimate]:
    """Baseline rating of the position statement vs rating of the final statement, paired."""
    b = np.asarray(baseline, dtype=np.float64)
    f = np.asarray(final, dtype=np.float64)
    if b.shape != f.shape:
        raise ValueError("baseline and final ratings must be paired, one each per participant")
    pairs = np.column_stack([b, f])
    return {
        "baseline_mean": bootstrap(b, seed=seed),
        "final_mean": bootstrap(f, seed=seed),
        "change": bootstrap(pairs, lambda p: float(np.mean(p[:, 1] - p[:, 0])), seed=seed),
        "gia_before": bootstrap(b, lambda v: group_internal_agreement(v).gia, seed=seed),
        "gia_after": bootstrap(f, lambda v: group_internal_agreement(v).gia, seed=seed),
    }


def inclusion_effect(ratings: ArrayLike, included: ArrayLike, seed: int = 0) -> dict[str, Estimate]:
    """Agreement of participants whose opinions went into the prompt vs those left out."""
    r = np.asarray(ratings, dtype=np.float64)
    inc = np.asarray(included, dtype=bool)
    rng = np.random.default_rng(seed)
    a, b = r[inc & np.isfinite(r)], r[~inc & np.isfinite(r)]
    out = {"included": bootstrap(a, seed=seed), "excluded": bootstrap(b, seed=seed)}
    if len(a) and len(b):
        diffs = [rng.choice(a, len(a)).mean() - rng.choice(b, len(b)).mean() for _ in range(2000)]
        lo, hi = np.quantile(diffs, [0.025, 0.975])
        out["difference"] = Estimate(float(a.mean() - b.mean()), float(lo), float(hi), len(r))
    return out
