"""The k statements the room rates: different from each other, good for the group, and, while the
predictions cannot be trusted, covering every position in the room.

The rule, on unit sentence embeddings of the candidates and the opinions:

1. **Fold near-duplicates.** Candidates best first by predicted welfare; each joins the first
   kept candidate it is a near-duplicate of (``screening.NEAR_DUPLICATE``), else is kept. A kept
   candidate carries the count of those folded into it; folded ones are never shortlisted.
2. **Cover the room while predictions are near chance** (the reward's validation AUC below
   ``TRUSTED_AUC``, or unknown): the opinions are grouped into clusters (average-linkage on
   cosine, deterministic). With room for two or more, the first place goes to the *bridge*: the
   kept candidate whose lowest closeness to any cluster (mean cosine to its opinions) is highest,
   a statement that may speak to every group at once; then, into ``min(k - 1, participants)``
   clusters, for each cluster, largest first, the kept candidate closest to it that is not yet
   chosen. (Covering alone picked a statement nearest each group, i.e. mostly one-sided ones.)
   With k = 1, the one candidate closest to all the opinions.
3. **Fill the remaining places by maximal marginal relevance:** the kept candidate with the
   highest ``LAMBDA * welfare - (1 - LAMBDA) * (highest cosine to a chosen one)``, welfare
   rescaled to 0-1 over the kept candidates. With trusted predictions this is the whole rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from consensus_desktop.screening import NEAR_DUPLICATE, unit

TRUSTED_AUC = 0.65
LAMBDA = 0.7


@dataclass(frozen=True)
class Shortlist:
    chosen: tuple[int, ...]  # candidate indices, in the order they were chosen
    folded_into: tuple[int, ...]  # per candidate: the kept candidate it was folded into (or itself)
    covered_clusters: bool  # True when step 2 applied (predictions near chance)

    def folded_count(self, i: int) -> int:
        """How many other candidates were folded into candidate ``i``."""
        return sum(1 for j, f in enumerate(self.folded_into) if f == i and j != i)

    @property
    def n_folded(self) -> int:
        return sum(1 for j, f in enumerate(self.folded_into) if f != j)


def fold(candidates: np.ndarray, welfare: np.ndarray) -> tuple[int, ...]:
    """Per candidate, the index of the better near-duplicate it folds into (itself if kept)."""
    u = unit(candidates)
    order = np.argsort(-np.asarray(welfare), kind="stable")
    into = list(range(len(u)))
    kept: list[int] = []
    for i in order:
        rep = next((k for k in kept if float(u[i] @ u[k]) >= NEAR_DUPLICATE), None)
        if rep is None:
            kept.append(int(i))
        else:
            into[int(i)] = rep
    return tuple(into)


def cluster(opinions: np.ndarray, n_clusters: int) -> list[list[int]]:
    """Average-linkage clusters of opinion indices on cosine, largest first."""
    u = unit(opinions)
    sims = u @ u.T
    groups = [[i] for i in range(len(u))]
    while len(groups) > max(1, n_clusters):
        best, pair = -np.inf, (0, 1)
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                s = float(sims[np.ix_(groups[a], groups[b])].mean())
                if s > best:
                    best, pair = s, (a, b)
        a, b = pair
        groups[a] = sorted(groups[a] + groups[b])
        del groups[b]
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def choose(
    candidates: np.ndarray,
    welfare: np.ndarray,
    opinions: np.ndarray,
    k: int,
    predictions_trusted: bool,
) -> Shortlist:
    """The shortlist by the rule above. ``candidates``/``opinions``: embeddings (rows)."""
    into = fold(candidates, welfare)
    kept = [i for i, f in enumerate(into) if f == i]
    u, o = unit(candidates), unit(opinions)
    w = np.asarray(welfare, dtype=np.float64)
    span = float(np.ptp(w[kept])) if kept else 0.0
    w01 = (w - w[kept].min()) / span if span > 0 else np.zeros_like(w)
    chosen: list[int] = []
    k = min(k, len(kept))
    cover = not predictions_trusted and len(o) > 0
    if cover:
        groups = cluster(o, min(k - 1, len(o)) if k >= 2 else 1)
        # candidates x groups: mean cosine to each group's opinions
        nearness = np.column_stack([(u @ o[g].T).mean(axis=1) for g in groups])
        if k >= 2 and kept:
            chosen.append(max(kept, key=lambda i: (float(nearness[i].min()), w[i])))
        for closeness in nearness.T:
            left = [i for i in kept if i not in chosen]
            if left and len(chosen) < k:
                chosen.append(max(left, key=lambda i: (closeness[i], w[i])))
    while len(chosen) < k:
        left = [i for i in kept if i not in chosen]

        def mmr(i: int) -> float:
            redundancy = max((float(u[i] @ u[j]) for j in chosen), default=0.0)
            return LAMBDA * w01[i] - (1 - LAMBDA) * redundancy

        chosen.append(max(left, key=mmr))
    return Shortlist(tuple(chosen), into, cover)
