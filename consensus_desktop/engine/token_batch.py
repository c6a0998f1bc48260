"""A reusable ``llama_batch`` whose arrays are numpy arrays: filled a slice at a time, not a field
at a time from Python.

``llama_batch_init`` is not used: the struct points into arrays this object owns (one row of
``seq_ids`` per token, ``n_seq_max`` wide), so there is nothing to free and a whole decode step is
a few vectorised assignments.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence

import llama_cpp
import numpy as np


class TokenBatch:
    """Tokens for one ``llama_decode``; ``n`` of its ``capacity`` slots are in use."""

    def __init__(self, capacity: int, n_seq_max: int) -> None:
        self.capacity = capacity
        self.n = 0
        self.token = np.zeros(capacity, dtype=np.int32)
        self.pos = np.zeros(capacity, dtype=np.int32)
        self.n_seq_id = np.zeros(capacity, dtype=np.int32)
        self.seq_ids = np.zeros((capacity, max(n_seq_max, 1)), dtype=np.int32)
        self.logits = np.zeros(capacity, dtype=np.int8)
        # llama.cpp reads seq_id as int32*[capacity]: one pointer per row of seq_ids.
        row_bytes = self.seq_ids.strides[0]
        self._rows = self.seq_ids.ctypes.data + row_bytes * np.arange(capacity, dtype=np.uintp)
        # (llama_cpp declares these fields as ctypes arrays; they are pointers in the C struct.)
        b = llama_cpp.llama_batch()
        b.token = self.token.ctypes.data_as(ctypes.POINTER(ctypes.c_int32))  # type: ignore[assignment]
        b.pos = self.pos.ctypes.data_as(ctypes.POINTER(ctypes.c_int32))  # type: ignore[assignment]
        b.n_seq_id = self.n_seq_id.ctypes.data_as(ctypes.POINTER(ctypes.c_int32))  # type: ignore[assignment]
        b.seq_id = ctypes.cast(  # type: ignore[assignment]
            self._rows.ctypes.data, ctypes.POINTER(ctypes.POINTER(ctypes.c_int32))
        )
        b.logits = self.logits.ctypes.data_as(ctypes.POINTER(ctypes.c_int8))  # type: ignore[assignment]
        self.batch = b

    def clear(self) -> None:
        self.n = 0

    @property
    def room(self) -> int:
        return self.capacity - self.n

    def add(self, token: int, pos: int, seq_ids: Sequence[int], logits: bool) -> int:
        """One token in the sequences ``seq_ids``; returns its index in the batch."""
        return self.add_run([token], pos, seq_ids, logits)

    def add_run(
        self, tokens: Sequence[int], start: int, seq_ids: Sequence[int], logits: bool
    ) -> int:
        """Consecutive tokens at positions ``start, start + 1, …``, each in every sequence of
        ``seq_ids``; returns the index of the first."""
        i, m = self.n, len(tokens)
        if m > self.room:
            raise ValueError(f"{m} tokens do not fit in a batch with {self.room} free slots")
        end = i + m
        self.token[i:end] = tokens
        self.pos[i:end] = np.arange(start, start + m)
        self.n_seq_id[i:end] = len(seq_ids)
        self.seq_ids[i:end, : len(seq_ids)] = seq_ids
        self.logits[i:end] = logits
        self.n = end
        return i

    def add_steps(self, tokens: np.ndarray, pos: np.ndarray, seqs: np.ndarray) -> None:
        """One token per sequence: ``tokens[j]`` at ``pos[j]`` in sequence ``seqs[j]``, each with
        logits (row ``n + j`` of the next logits matrix)."""
        i, m = self.n, len(tokens)
        if m > self.room:
            raise ValueError(f"{m} tokens do not fit in a batch with {self.room} free slots")
        end = i + m
        self.token[i:end] = tokens
        self.pos[i:end] = pos
        self.n_seq_id[i:end] = 1
        self.seq_ids[i:end, 0] = seqs
        self.logits[i:end] = 1
        self.n = end

    def prepared(self) -> llama_cpp.llama_batch:
        """The struct to pass to ``llama_decode``, covering the ``n`` filled slots."""
        self.batch.n_tokens = self.n
        return self.batch
