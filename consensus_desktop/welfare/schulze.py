"""The Schulze method from (possibly tied, possibly partial) rankings.

A ballot maps candidate -> rank (1 = best; equal ranks are ties). A candidate missing from a ballot
is an abstention: that ballot says nothing about any pair involving it.

Returns a tied ranking (groups of candidates the method cannot separate) and an untied one, broken
the Habermas Machine's way: by real ballots taken in a random (seeded) order, then at random.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Ballot = Mapping[int, float]


@dataclass(frozen=True)
class SchulzeResult:
    tied: tuple[tuple[int, ...], ...]  # best group first
    untied: tuple[int, ...]
    pairwise: NDArray[np.int64]  # d[a, b]: ballots preferring a to b
    strength: NDArray[np.int64]  # strongest path a -> b

    @property
    def winners(self) -> tuple[int, ...]:
        return self.tied[0]


def pairwise_preferences(n_candidates: int, ballots: Sequence[Ballot]) -> NDArray[np.int64]:
    d = np.zeros((n_candidates, n_candidates), dtype=np.int64)
    for ballot in ballots:
        ranks = np.full(n_candidates, np.nan)
        for cand, rank in ballot.items():
            if not 0 <= cand < n_candidates:
                raise ValueError(f"ballot names candidate {cand}, outside 0..{n_candidates - 1}")
            ranks[cand] = rank
        ok = np.isfinite(ranks)
        better = (ranks[:, None] < ranks[None, :]) & ok[:, None] & ok[None, :]
        d += better
    return d


def strongest_paths(d: NDArray[np.int64]) -> NDArray[np.int64]:
    n = d.shape[0]
    p = np.where(d > d.T, d, 0)
    for i in range(n):
        # p[j, k] = max(p[j, k], min(p[j, i], p[i, k])) for j != i, k != i
        via = np.minimum(p[:, i][:, None], p[i, :][None, :])
        mask = np.ones((n, n), dtype=bool)
        mask[i, :] = False
        mask[:, i] = False
        np.fill_diagonal(mask, False)
        p = np.where(mask, np.maximum(p, via), p)
    return p


def schulze(n_candidates: int, ballots: Sequence[Ballot], seed: int = 0) -> SchulzeResult:
    d = pairwise_preferences(n_candidates, ballots)
    p = strongest_paths(d)
    beats = p > p.T
    wins = beats.sum(axis=1)  # the relation is transitive, so this orders it
    tied: list[tuple[int, ...]] = []
    for score in sorted(set(wins.tolist()), reverse=True):
        tied.append(tuple(int(c) for c in np.flatnonzero(wins == score)))
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(ballots))
    noise = rng.random(n_candidates)

    def tie_key(c: int) -> tuple[float, ...]:
        # earlier (randomly ordered) ballots decide first; unranked counts as worst; then random
        return (*(float(ballots[b].get(c, np.inf)) for b in order), float(noise[c]))

    untied = tuple(c for group in tied for c in sorted(group, key=tie_key))
    return SchulzeResult(tuple(tied), untied, d, p)


def ballots_from_scores(scores: NDArray[np.float64]) -> list[dict[int, float]]:
    """One ballot per participant from a candidates x participants score matrix (higher = better).

    Equal scores become tied ranks; NaN scores are abstentions.
    """
    ballots = []
    for col in np.asarray(scores, dtype=np.float64).T:
        ballots.append({int(c): float(-v) for c, v in enumerate(col) if np.isfinite(v)})
    return ballots
