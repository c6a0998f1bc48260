"""Pick the next token of every sequence in one vectorised step over the logits matrix.

The chain is llama.cpp's usual one: top-k, then top-p (on the top-k's probabilities at
temperature 1), then temperature, then a draw from each sequence's own seeded generator
(``temperature <= 0``: the most likely token). One call handles all live sequences at once, so
the host's cost per token is a few array passes instead of a sampler chain per sequence (which
builds and sorts a candidate list over the whole vocabulary for every token).

Top-k without sorting the vocabulary: each row is cut into groups of ``GROUP`` logits and only
the k groups with the largest maxima are searched. This is exact: each of the k largest logits
lies in a group whose maximum is at least the k-th largest logit, and at most k groups have that.

Reproducibility: the same logits, settings and seeds give the same tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

GROUP = 64  # logits per group; group g holds tokens g, g + n_groups, g + 2 * n_groups, …


def top_k(
    logits: np.ndarray, rows: np.ndarray, k: int, scratch: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The k largest logits of ``logits[rows]`` and their token ids, largest first.

    ``logits`` is (outputs, vocab) float32; ``rows`` names one output row per sequence.
    ``k <= 0`` keeps the whole vocabulary (a full sort: slow). ``scratch``, when given, is a
    float32 buffer of at least ``outputs * (vocab // GROUP)`` elements for the group maxima.
    """
    n_out, vocab = logits.shape
    m = len(rows)
    k = vocab if k <= 0 else min(k, vocab)
    if 2 * k * GROUP > vocab:
        ids = np.argpartition(logits[rows], vocab - k, axis=1)[:, vocab - k :]
        values = logits[rows[:, None], ids]
    else:
        n_groups = vocab // GROUP
        whole = n_groups * GROUP
        # Strided groups: the maximum is GROUP element-wise passes over contiguous memory, the one
        # pass over the whole logits matrix.
        grouped = logits[:, :whole].reshape(n_out, GROUP, n_groups)
        out = None if scratch is None else scratch[: n_out * n_groups].reshape(n_out, n_groups)
        group_max = np.maximum.reduce(grouped, axis=1, out=out)[rows]
        best = np.argpartition(group_max, n_groups - k, axis=1)[:, n_groups - k :]
        # Token ids of every member of the k best groups, and their logits in one flat gather.
        members = np.arange(0, whole, n_groups)
        ids = (members[None, :, None] + best[:, None, :]).reshape(m, -1)
        values = np.take(logits.reshape(-1), ids + (rows * vocab)[:, None])
        if whole < vocab:  # the last vocab % GROUP tokens are always searched
            values = np.concatenate([values, logits[rows, whole:]], axis=1)
            tail = np.broadcast_to(np.arange(whole, vocab), (m, vocab - whole))
            ids = np.concatenate([ids, tail], axis=1)
        part = np.argpartition(values, values.shape[1] - k, axis=1)[:, values.shape[1] - k :]
        ids = np.take_along_axis(ids, part, axis=1)
        values = np.take_along_axis(values, part, axis=1)
    order = np.argsort(-values, axis=1, kind="stable")
    return np.take_along_axis(values, order, axis=1), np.take_along_axis(ids, order, axis=1)


@dataclass(frozen=True)
class PickSettings:
    temperature: float
    top_p: float
    top_k: int


class TokenPicker:
    """Per-sequence seeded generators and one shared chain of settings."""

    def __init__(self, settings: PickSettings, seeds: Sequence[int]) -> None:
        self.settings = settings
        self.rngs = [
            np.random.Generator(np.random.PCG64(seed & 0xFFFFFFFFFFFFFFFF)) for seed in seeds
        ]
        self._scratch = np.empty(0, dtype=np.float32)

    def pick(
        self, logits: np.ndarray, rows: Sequence[int] | np.ndarray, seqs: Sequence[int]
    ) -> list[int]:
        """One token for each sequence ``seqs[j]``, read from output row ``rows[j]``."""
        s = self.settings
        row_index = np.asarray(rows, dtype=np.intp)
        if s.temperature <= 0:
            return np.argmax(logits, axis=1)[row_index].tolist()
        need = logits.shape[0] * (logits.shape[1] // GROUP)
        if self._scratch.size < need:
            self._scratch = np.empty(need, dtype=np.float32)
        values, ids = top_k(logits, row_index, s.top_k, self._scratch)
        z = values.astype(np.float64) - values[:, :1]
        keep = np.ones(z.shape, dtype=bool)
        if s.top_p < 1.0:
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            before = np.cumsum(p, axis=1) - p
            keep = before < s.top_p  # up to and including the token that reaches top_p
            keep[:, 0] = True
        weights = np.exp(z / s.temperature) * keep
        cumulative = np.cumsum(weights, axis=1)
        draws = np.array([self.rngs[i].random() for i in seqs]) * cumulative[:, -1]
        chosen = np.minimum((cumulative <= draws[:, None]).sum(axis=1), keep.sum(axis=1) - 1)
        return np.take_along_axis(ids, chosen[:, None], axis=1)[:, 0].tolist()
