"""Mean-pooled text embeddings from a GGUF model, many texts per ``llama_decode``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import llama_cpp
import numpy as np

from consensus_desktop.engine.errors import ContextBudgetError, GenerationCancelled
from consensus_desktop.engine.local_model import LocalModel
from consensus_desktop.engine.token_batch import TokenBatch
from consensus_desktop.engine.types import Progress


class Embedder:
    """An embeddings context (mean pooling) on a loaded model; texts are packed into batches."""

    def __init__(self, model: LocalModel, n_threads: int, n_batch: int = 512, n_seq: int = 32):
        self.model = model
        self.n_batch = n_batch
        self.n_seq = n_seq
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = n_batch
        params.n_batch = n_batch
        params.n_ubatch = n_batch
        params.n_seq_max = n_seq
        params.n_threads = n_threads
        params.n_threads_batch = n_threads
        params.embeddings = True
        params.pooling_type = llama_cpp.LLAMA_POOLING_TYPE_MEAN
        params.kv_unified = True
        params.no_perf = True
        ctx = llama_cpp.llama_init_from_model(model.model_ptr, params)
        if not ctx:
            raise ContextBudgetError("llama.cpp could not create an embeddings context.")
        self._ctx = ctx
        self.dim = model.info.n_embd

    def embed(
        self, texts: Sequence[str], should_stop: Callable[[], bool] = lambda: False
    ) -> Iterator[Progress | np.ndarray]:
        # Texts longer than one batch are cut to n_batch tokens (the start carries the stance).
        token_lists = [
            self.model.tokenize(t, add_bos=self.model.add_bos)[: self.n_batch] or [0] for t in texts
        ]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        mem = llama_cpp.llama_get_memory(self._ctx)
        batch = TokenBatch(self.n_batch, self.n_seq)
        total = sum(len(t) for t in token_lists)
        done = 0
        i = 0
        try:
            while i < len(token_lists):
                if should_stop():
                    raise GenerationCancelled
                batch.clear()
                group: list[int] = []
                while (
                    i < len(token_lists)
                    and len(group) < self.n_seq
                    and batch.n + len(token_lists[i]) <= self.n_batch
                ):
                    batch.add_run(token_lists[i], 0, [len(group)], True)
                    group.append(i)
                    i += 1
                llama_cpp.llama_memory_clear(mem, True)
                if llama_cpp.llama_decode(self._ctx, batch.prepared()) != 0:
                    raise ContextBudgetError("llama_decode failed while computing embeddings")
                for seq, idx in enumerate(group):
                    ptr = llama_cpp.llama_get_embeddings_seq(self._ctx, seq)
                    out[idx] = np.ctypeslib.as_array(ptr, shape=(self.dim,))
                done += batch.n
                yield Progress(done, total)
        finally:
            llama_cpp.llama_memory_clear(mem, True)
        yield out

    def close(self) -> None:
        if self._ctx is not None:
            llama_cpp.llama_free(self._ctx)
            self._ctx = None
