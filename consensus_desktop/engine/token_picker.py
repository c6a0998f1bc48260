"""Pick the next token of every sequence in one vectorised step over the logits matrix.

The chain is llama.cpp's usual one: top-k, then top-p (on the top-k's probabilities at
temperature 1), then temperature, then a draw from each sequence's own seeded generator
(``temperature <= 0``: the most likely token). One call handles all live sequences at once, so
the host's cost per token is a few array passes instead of a sampler chain per sequence (which
builds and sorts a candidate list over the whole vocabulary for every token).

Top-k without sorting the vocabulary, in one pass over the logits matrix: each row is cut into
strided groups of ``FIRST`` logits and their maxima are taken (the pass); those maxima are grouped
again, ``FAN`` at a time, while there are plenty of groups. From the top level down, only the
members of the k best groups are looked at, ending with the logits of k groups of ``FIRST``. This
is exact: each of the k largest logits lies in a group whose maximum is at least the k-th largest
logit, and at most k groups have that. (One level of 64-logit groups gathered 2,560 logits a row
from as many cache lines; for Gemma's vocabulary and k = 40 this gathers 640, plus 320 group maxima
that are already in the cache.) Candidates are ordered by logit, then token id, wherever the
top-k ran, so ties break the same way (and as ``argmax`` does).

Reproducibility: the same logits, settings and seeds give the same tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Logits per first-level group: group g holds tokens g, g + n_groups, g + 2 * n_groups, …
FIRST = 16
FAN = 8  # groups per group at the levels above
LEVEL_UP = 8  # group again while there would be at least LEVEL_UP * k groups above
DRAW_BLOCK = 64  # uniform draws taken from each sequence's generator at a time


def top_k(
    logits: np.ndarray, rows: np.ndarray, k: int, scratch: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The k largest logits of ``logits[rows]`` and their token ids, largest first.

    ``logits`` is (outputs, vocab) float32; ``rows`` names one output row per sequence.
    ``k <= 0`` keeps the whole vocabulary (a full sort: slow). ``scratch``, when given, is a
    float32 buffer of at least ``outputs * (vocab // FIRST)`` elements for the group maxima.
    """
    n_out, vocab = logits.shape
    m = len(rows)
    k = vocab if k <= 0 else min(k, vocab)
    if 2 * k * FIRST > vocab:  # groups would not narrow the search much: partition whole rows
        ids = _best_k(logits[rows], k)
        values = logits[rows[:, None], ids]
    else:
        n_groups = vocab // FIRST
        whole = n_groups * FIRST
        # Strided groups: the maxima are FIRST element-wise passes over contiguous memory.
        out = None if scratch is None else scratch[: n_out * n_groups].reshape(n_out, n_groups)
        grouped = logits[:, :whole].reshape(n_out, FIRST, n_groups)
        levels = [np.maximum.reduce(grouped, axis=1, out=out)[rows]]
        while levels[-1].shape[1] % FAN == 0 and levels[-1].shape[1] >= LEVEL_UP * k * FAN:
            below = levels[-1]
            levels.append(np.maximum.reduce(below.reshape(m, FAN, -1), axis=1))
        best = _best_k(levels[-1], k)
        for below in reversed(levels[:-1]):  # the members of the k best groups, then their best k
            members = _members(best, below.shape[1] // FAN, FAN)
            part = _best_k(np.take_along_axis(below, members, axis=1), k)
            best = np.take_along_axis(members, part, axis=1)
        ids = _members(best, n_groups, FIRST)
        values = np.take(logits.reshape(-1), ids + (rows * vocab)[:, None])
        if whole < vocab:  # the last vocab % FIRST tokens are always searched
            values = np.concatenate([values, logits[rows, whole:]], axis=1)
            tail = np.broadcast_to(np.arange(whole, vocab), (m, vocab - whole))
            ids = np.concatenate([ids, tail], axis=1)
        part = _best_k(values, k)
        ids = np.take_along_axis(ids, part, axis=1)
        values = np.take_along_axis(values, part, axis=1)
    return sort_candidates(values, ids)


def sort_candidates(values: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's candidates by logit, largest first, then by token id."""
    order = np.lexsort((ids, -values), axis=-1)
    return np.take_along_axis(values, order, axis=1), np.take_along_axis(ids, order, axis=1)


def _members(groups: np.ndarray, n_groups: int, size: int) -> np.ndarray:
    """Indices of every member of each row's strided ``groups`` (of ``n_groups``, ``size`` each)."""
    offsets = np.arange(0, size * n_groups, n_groups)
    return (offsets[None, :, None] + groups[:, None, :]).reshape(len(groups), -1)


def _best_k(values: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k largest values of each row, in no order."""
    return np.argpartition(values, values.shape[1] - k, axis=1)[:, values.shape[1] - k :]


@dataclass(frozen=True)
class PickSettings:
    temperature: float
    top_p: float
    top_k: int


class TokenPicker:
    """Per-sequence seeded generators and one shared chain of settings."""

    def __init__(self, settings: PickSettings, seeds: Sequence[int]) -> None:
        self.settings = settings
        self._rngs = [
            np.random.Generator(np.random.PCG64(seed & 0xFFFFFFFFFFFFFFFF)) for seed in seeds
        ]
        self._scratch = np.empty(0, dtype=np.float32)
        self._draws = np.empty((len(seeds), DRAW_BLOCK))
        self._next_draw = np.full(len(seeds), DRAW_BLOCK)

    def pick(
        self, logits: np.ndarray, rows: Sequence[int] | np.ndarray, seqs: Sequence[int]
    ) -> list[int]:
        """One token for each sequence ``seqs[j]``, read from output row ``rows[j]``."""
        row_index = np.asarray(rows, dtype=np.intp)
        if self.settings.temperature <= 0:
            return np.argmax(logits, axis=1)[row_index].tolist()
        return self.choose(*self.candidates(logits, row_index), seqs)

    def candidates(
        self, logits: np.ndarray, rows: Sequence[int] | np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each row's top-k (at temperature 0 at least the best 8), largest first, as
        :meth:`choose` takes them."""
        row_index = np.asarray(rows, dtype=np.intp)
        need = logits.shape[0] * (logits.shape[1] // FIRST)
        if self._scratch.size < need:
            self._scratch = np.empty(need, dtype=np.float32)
        k = self.settings.top_k if self.settings.temperature > 0 else max(self.settings.top_k, 8)
        return top_k(logits, row_index, k, self._scratch)

    def choose(self, values: np.ndarray, ids: np.ndarray, seqs: Sequence[int]) -> list[int]:
        """The rest of the chain after top-k: ``values[j]`` (largest first) and their token
        ``ids[j]`` are sequence ``seqs[j]``'s candidates."""
        s = self.settings
        if s.temperature <= 0:
            return ids[:, 0].tolist()
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
        draws = self._uniforms(seqs) * cumulative[:, -1]
        chosen = np.minimum((cumulative <= draws[:, None]).sum(axis=1), keep.sum(axis=1) - 1)
        return np.take_along_axis(ids, chosen[:, None], axis=1)[:, 0].tolist()

    def _uniforms(self, seqs: Sequence[int]) -> np.ndarray:
        """The next uniform draw of each sequence's own generator (``seqs`` has no repeats). They
        are drawn DRAW_BLOCK at a time, which gives the same numbers in the same order as one draw
        per call."""
        seq = np.asarray(seqs, dtype=np.intp)
        for i in seq[self._next_draw[seq] == DRAW_BLOCK].tolist():
            self._draws[i] = self._rngs[i].random(DRAW_BLOCK)
            self._next_draw[i] = 0
        draws = self._draws[seq, self._next_draw[seq]]
        self._next_draw[seq] += 1
        return draws
