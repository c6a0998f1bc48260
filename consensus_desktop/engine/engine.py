"""The long-lived engine: one model, loaded once per session, serving every request.

All methods are generators (or return quickly) and must be called from one owner thread; the GUI
runs them in a single worker. Generators accept ``should_stop`` and raise
:class:`GenerationCancelled` at the next decode step when it returns True.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from consensus_desktop.engine.batch_generate import BatchGenerator
from consensus_desktop.engine.budget import ContextFitting
from consensus_desktop.engine.candidates import collect_candidates
from consensus_desktop.engine.embedder import Embedder
from consensus_desktop.engine.local_model import LocalModel, default_threads
from consensus_desktop.engine.types import (
    Candidate,
    GenerationReport,
    ModelInfo,
    Progress,
    RawSample,
    SamplingParams,
)
from consensus_desktop.model_catalog import verified_sha256
from consensus_desktop.prompts import PromptPlan


class Engine(ContextFitting):
    """A GGUF model on this machine, run by llama.cpp; implements :class:`ModelBackend`."""

    def __init__(
        self,
        model_path: str | Path,
        n_threads: int | None = None,
        n_gpu_layers: int | None = None,
        per_sequence_limit: int = 8192,
        max_kv_cells: int = 32768,
    ) -> None:
        self.model_path = Path(model_path)
        self.model = LocalModel(model_path, n_gpu_layers=n_gpu_layers)
        self.n_threads = n_threads or default_threads()
        self.generator = BatchGenerator(self.model, self.n_threads, max_kv_cells=max_kv_cells)
        self.per_sequence_limit = min(per_sequence_limit, self.model.info.n_ctx_train)
        self.max_kv_cells = max_kv_cells
        self._embedder: Embedder | None = None
        self._sha256: str | None = None

    @property
    def info(self) -> ModelInfo:
        return self.model.info

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            self._sha256 = verified_sha256(self.model_path)
        return self._sha256

    # -- tokens -------------------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenize(text))

    def truncate_tokens(self, text: str, n_tokens: int) -> str:
        tokens = self.model.tokenize(text)
        return text if len(tokens) <= n_tokens else self.model.detokenize(tokens[:n_tokens])

    # -- generation ---------------------------------------------------------------------------
    def generate_candidates(
        self,
        plan: PromptPlan,
        n: int,
        params: SamplingParams,
        should_stop: Callable[[], bool] = lambda: False,
        reject: Sequence[str] = (),
    ) -> Iterator[Candidate | Progress | GenerationReport]:
        """Yield N distinct cleaned candidates (all samples of a round in one llama.cpp batch),
        then a :class:`GenerationReport`; see :func:`collect_candidates`."""

        def draw(seeds: list[int]) -> Iterator[Progress | RawSample]:
            return self.generator.generate(
                plan.prefix, plan.suffixes, seeds, params, plan.stop, should_stop
            )

        return collect_candidates(draw, plan, n, params, reject)

    # -- embeddings ---------------------------------------------------------------------------
    def embed(
        self, texts: Sequence[str], should_stop: Callable[[], bool] = lambda: False
    ) -> Iterator[Progress | np.ndarray]:
        """Mean-pooled embeddings, several texts per decode; yields progress then an (n, d) array."""
        if self._embedder is None:
            self._embedder = Embedder(self.model, self.n_threads)
        yield from self._embedder.embed(texts, should_stop)

    def close(self) -> None:
        self.generator.close()
        if self._embedder is not None:
            self._embedder.close()
        self.model.close()
