"""Top-k inside llama.cpp's graph, on the device that computes the logits.

With every layer on a GPU, copying each sequence's whole row of logits (262,144 floats for Gemma 3)
to the host and searching it there costs more than the model step. llama.cpp can run a sampler
chain in the graph instead (``llama_set_sampler``): each sequence gets a chain holding one top-k
sampler, and after a decode only the k best logits and their token ids come back. The rest of the
chain (top-p, temperature, the seeded draw) stays in :class:`TokenPicker`, so a request picks the
same tokens whichever side runs the top-k.

On a CPU this is slower than the host's search (ggml's top-k sorts each row on one thread), so
:class:`BatchGenerator` uses it only when the model's output layer is on a GPU.
"""

from __future__ import annotations

import ctypes

import llama_cpp
import numpy as np

MAX_K = 1024  # larger top-k settings are searched on the host


class DeviceTopK:
    """Top-k sampler chains attached to one context's sequences. The context does not own them:
    :meth:`detach` before the context is freed, then they are freed here."""

    def __init__(self) -> None:
        self._ctx: llama_cpp.llama_context_p | None = None
        self._chains: list[llama_cpp.llama_sampler_p] = []
        self.k = 0

    def attach(self, ctx: llama_cpp.llama_context_p, n_seq: int, k: int) -> bool:
        """Give sequences ``0 … n_seq - 1`` of ``ctx`` a top-``k`` chain (kept while unchanged:
        llama.cpp plans its graph again whenever samplers change). False, with nothing attached,
        where llama.cpp cannot run them in the graph (a model split across GPUs by tensor)."""
        if ctx is self._ctx and k == self.k and len(self._chains) >= n_seq:
            return True
        self.detach()
        for seq in range(n_seq):
            chain = llama_cpp.llama_sampler_chain_init(
                llama_cpp.llama_sampler_chain_default_params()
            )
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_top_k(k))
            self._chains.append(chain)
            self._ctx = ctx
            if not llama_cpp.llama_set_sampler(ctx, seq, chain):
                self.detach()
                return False
        self.k = k
        return True

    def detach(self) -> None:
        if self._ctx is not None:
            for seq in range(len(self._chains)):
                llama_cpp.llama_set_sampler(self._ctx, seq, None)
        for chain in self._chains:
            llama_cpp.llama_sampler_free(chain)
        self._chains = []
        self._ctx = None
        self.k = 0

    def read(self, n_out: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The k best logits and token ids (largest first) of output ``rows`` of the last decode,
        which had ``n_out`` outputs."""
        ctx, k = self._ctx, self.k
        values = np.empty((len(rows), k), dtype=np.float32)
        ids = np.empty((len(rows), k), dtype=np.int32)
        for j, row in enumerate(rows.tolist()):
            i = row - n_out  # negative: the row-th output in batch order
            got_values = llama_cpp.llama_get_sampled_logits_ith(ctx, i)
            got_ids = llama_cpp.llama_get_sampled_candidates_ith(ctx, i)
            if not got_values or not got_ids:
                raise RuntimeError(f"llama.cpp returned no top-k for output {row}")
            ctypes.memmove(values[j].ctypes.data, got_values, 4 * k)
            ctypes.memmove(ids[j].ctypes.data, got_ids, 4 * k)
        order = np.argsort(-values, axis=1, kind="stable")
        return np.take_along_axis(values, order, axis=1), np.take_along_axis(ids, order, axis=1)
