"""Top-k inside llama.cpp's graph, on the device that computes the logits.

With every layer on a GPU, copying each sequence's whole row of logits (262,144 floats for Gemma 3)
to the host and searching it there costs more than the model step. llama.cpp can run a sampler
chain in the graph instead (``llama_set_sampler``): each sequence gets a chain holding one top-k
sampler, and after a decode only the k best logits and their token ids come back. The rest of the
chain (top-p, temperature, the seeded draw) stays in :class:`TokenPicker`, so a request picks the
same tokens whichever side runs the top-k.

On a CPU this is slower than the host's search (ggml's top-k sorts each row on one thread), so
:class:`BatchGenerator` uses it only when the model's output layer is on a GPU. Where the GPU's
backend lacks the top-k operation, llama.cpp leaves the chain out of the graph and hands back whole
rows: :meth:`DeviceTopK.read` notices (the row has more than k logits), searches those rows on the
host and says so, and the generator goes back to host picking. Memory: with samplers, llama.cpp's
output buffer holds four vocabulary-wide rows per sequence instead of one (Gemma 3: 4 MiB a
sequence).
"""

from __future__ import annotations

import ctypes

import llama_cpp
import numpy as np

from consensus_desktop.engine.token_picker import sort_candidates, top_k

# Larger top-k settings are searched on the host (ggml's CUDA top-k without CUB takes rows of at
# most 1,024; and a wide top-k returns most of the row anyway).
MAX_K = 1024


class DeviceTopK:
    """Top-k sampler chains attached to one context's sequences. The context does not own them:
    :meth:`detach` before the context is freed, then they are freed here."""

    def __init__(self) -> None:
        self._ctx: llama_cpp.llama_context_p | None = None
        self._chains: list[llama_cpp.llama_sampler_p] = []
        self.k = 0
        self.fell_back = False  # the last read found whole rows: top-k did not run in the graph

    def attach(self, ctx: llama_cpp.llama_context_p, n_seq: int, k: int) -> bool:
        """Give sequences ``0 … n_seq - 1`` of ``ctx`` a top-``k`` chain (kept while unchanged:
        llama.cpp plans its graph again whenever samplers change). False, with nothing attached,
        where llama.cpp refuses them (a model split across GPUs by tensor)."""
        if ctx is self._ctx and k == self.k and len(self._chains) >= n_seq:
            return True
        self.detach()
        self._ctx = ctx
        for seq in range(n_seq):
            chain = llama_cpp.llama_sampler_chain_init(
                llama_cpp.llama_sampler_chain_default_params()
            )
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_top_k(k))
            self._chains.append(chain)
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

    def read(self, n_out: int, rows: np.ndarray, n_vocab: int) -> tuple[np.ndarray, np.ndarray]:
        """The k best logits and token ids (by logit, then id) of output ``rows`` of the last
        decode, which had ``n_out`` outputs."""
        ctx, k = self._ctx, self.k
        if ctx is None:
            raise RuntimeError("no top-k samplers are attached")
        values = np.empty((len(rows), k), dtype=np.float32)
        ids = np.empty((len(rows), k), dtype=np.int32)
        whole: list[np.ndarray] = []
        for j, row in enumerate(rows.tolist()):
            i = row - n_out  # negative: the row-th output in batch order
            n_values = llama_cpp.llama_get_sampled_logits_count_ith(ctx, i)
            got_values = llama_cpp.llama_get_sampled_logits_ith(ctx, i)
            if n_values == n_vocab and got_values:  # the top-k did not run: a whole row came back
                whole.append(np.ctypeslib.as_array(got_values, (n_vocab,)))
                continue
            got_ids = llama_cpp.llama_get_sampled_candidates_ith(ctx, i)
            n_ids = llama_cpp.llama_get_sampled_candidates_count_ith(ctx, i)
            if n_values != k or n_ids != k or not got_values or not got_ids:
                raise RuntimeError(
                    f"llama.cpp returned {n_values} logits for output {row}, not {k}"
                )
            ctypes.memmove(values[j].ctypes.data, got_values, 4 * k)
            ctypes.memmove(ids[j].ctypes.data, got_ids, 4 * k)
        self.fell_back = bool(whole)
        if whole:
            if len(whole) < len(rows):
                raise RuntimeError("llama.cpp ran top-k in the graph for some outputs only")
            return top_k(np.stack(whole), np.arange(len(whole)), k)
        return sort_candidates(values, ids)
