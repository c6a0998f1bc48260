"""Opinion groups and group-aware consensus of a Polis conversation, from its votes (numpy only).

How the groups are formed (after Polis's own math, github.com/compdemocracy/polis, ``math/``):

1. the vote matrix: one row per participant who voted on at least ``min(7, comments)`` comments
   (Polis's threshold for "in the conversation"), one column per comment that was not moderated
   out; agree +1, disagree -1, pass 0, not seen: missing;
2. missing votes are filled with the comment's mean vote, the columns centred, and every
   participant projected on the first two principal components (SVD); each projection is scaled
   by sqrt(comments / comments the participant voted on), Polis's correction that keeps people
   who saw few comments from collapsing onto the centre;
3. k-means (k-means++ seeding, a few restarts, seeded) for k = 2 … 5 on those points, and the k
   with the highest mean silhouette is kept, as Polis chooses its number of groups.

Group-aware consensus of a comment is what Polis computes: for each group g, the smoothed share of
its members who agreed, (agree_g + 1) / (seen_g + 2), where seen counts agree, disagree and pass;
the product of those shares over the groups. A comment only scores high when every group agrees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from consensus_desktop.reward.polis_data import Conversation

MIN_VOTES = 7  # Polis: a participant is in the conversation after min(7, comments) votes
K_RANGE = range(2, 6)
RESTARTS = 5
ITERATIONS = 50


@dataclass(frozen=True)
class OpinionGroups:
    participants: tuple[int, ...]  # the participants clustered, in matrix row order
    comments: tuple[int, ...]  # comment ids, in matrix column order
    labels: NDArray[np.intp]  # group of each participant
    silhouette: float
    consensus: NDArray[np.float64]  # group-aware consensus of each comment

    @property
    def k(self) -> int:
        return int(self.labels.max()) + 1

    def consensus_of(self) -> dict[int, float]:
        return {c: float(v) for c, v in zip(self.comments, self.consensus, strict=True)}


def vote_matrix(conv: Conversation) -> tuple[list[int], list[int], NDArray[np.float64]]:
    """(participants, comments, matrix): +1 / -1 / 0 (pass) / NaN (not seen)."""
    comments = sorted(conv.comments)
    col = {c: j for j, c in enumerate(comments)}
    seen: dict[int, dict[int, float]] = {}
    for (voter, cid), vote in conv.votes.items():
        if cid in col:
            seen.setdefault(voter, {})[cid] = float(vote)
    for voter, cid in conv.passes:
        if cid in col:
            seen.setdefault(voter, {})[cid] = 0.0
    need = min(MIN_VOTES, len(comments))
    people = sorted(p for p, v in seen.items() if len(v) >= need)
    matrix = np.full((len(people), len(comments)), np.nan)
    for i, p in enumerate(people):
        for comment, value in seen[p].items():
            matrix[i, col[comment]] = value
    return people, comments, matrix


def project(matrix: NDArray[np.float64]) -> NDArray[np.float64]:
    """Participants on the first two principal components, with Polis's sparsity scaling."""
    voted = np.isfinite(matrix)
    means = np.nanmean(np.where(voted.any(axis=0), matrix, 0.0), axis=0)
    filled = np.where(voted, matrix, means[None, :])
    centred = filled - filled.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    points = centred @ vt[:2].T
    scale = np.sqrt(matrix.shape[1] / np.maximum(voted.sum(axis=1), 1))
    return np.asarray(points * scale[:, None], dtype=np.float64)


def _kmeans(
    points: NDArray[np.float64], k: int, rng: np.random.Generator
) -> tuple[NDArray[np.intp], float]:
    """Lloyd's k-means from k-means++ seeds; returns labels and the within-cluster sum of squares."""
    centres = [points[rng.integers(len(points))]]
    for _ in range(1, k):
        d2 = np.min([((points - c) ** 2).sum(axis=1) for c in centres], axis=0)
        total = d2.sum()
        pick = rng.choice(len(points), p=d2 / total) if total > 0 else rng.integers(len(points))
        centres.append(points[pick])
    c = np.array(centres)
    labels = np.zeros(len(points), dtype=np.intp)
    for _ in range(ITERATIONS):
        labels = ((points[:, None, :] - c[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        new = np.array(
            [points[labels == j].mean(axis=0) if np.any(labels == j) else c[j] for j in range(k)]
        )
        if np.allclose(new, c):
            break
        c = new
    return labels, float(((points - c[labels]) ** 2).sum())


def silhouette(points: NDArray[np.float64], labels: NDArray[np.intp]) -> float:
    """Mean silhouette coefficient (0 for a point alone in its cluster)."""
    dist = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    ks = np.unique(labels)
    if len(ks) < 2:
        return -1.0
    mean_to = np.stack([dist[:, labels == j].mean(axis=1) for j in ks], axis=1)
    sizes = np.array([np.sum(labels == j) for j in ks])
    own = np.searchsorted(ks, labels)
    n_own = sizes[own]
    a = np.where(
        n_own > 1, mean_to[np.arange(len(points)), own] * n_own / np.maximum(n_own - 1, 1), 0
    )
    others = mean_to.copy()
    others[np.arange(len(points)), own] = np.inf
    b = others.min(axis=1)
    s = np.where(n_own > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


def cluster(points: NDArray[np.float64], seed: int) -> tuple[NDArray[np.intp], float]:
    """The k in 2…5 with the best mean silhouette, best of a few seeded restarts per k."""
    rng = np.random.default_rng(seed)
    best: tuple[NDArray[np.intp], float] | None = None
    for k in K_RANGE:
        if k >= len(points):
            break
        labels, _ = min((_kmeans(points, k, rng) for _ in range(RESTARTS)), key=lambda r: r[1])
        _, labels = np.unique(labels, return_inverse=True)
        score = silhouette(points, labels)
        if best is None or score > best[1]:
            best = (labels, score)
    if best is None:  # fewer than three people: one group
        return np.zeros(len(points), dtype=np.intp), 0.0
    return best


def group_consensus(matrix: NDArray[np.float64], labels: NDArray[np.intp]) -> NDArray[np.float64]:
    """Per comment: the product over groups of (agree + 1) / (seen + 2)."""
    out = np.ones(matrix.shape[1])
    for g in np.unique(labels):
        rows = matrix[labels == g]
        agree = (rows > 0).sum(axis=0)
        seen = np.isfinite(rows).sum(axis=0)
        out *= (agree + 1) / (seen + 2)
    return out


def opinion_groups(conv: Conversation, seed: int = 0) -> OpinionGroups:
    people, comments, matrix = vote_matrix(conv)
    if not people or not comments:
        empty = np.zeros(0, dtype=np.intp)
        return OpinionGroups((), tuple(comments), empty, 0.0, np.zeros(len(comments)))
    labels, score = cluster(project(matrix), seed)
    return OpinionGroups(
        tuple(people), tuple(comments), labels, score, group_consensus(matrix, labels)
    )
