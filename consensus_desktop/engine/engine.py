"""The long-lived engine: one model, loaded once per session, serving every request.

All methods are generators (or return quickly) and must be called from one owner thread; the GUI
runs them in a single worker. Generators accept ``should_stop`` and raise
:class:`GenerationCancelled` at the next decode step when it returns True.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from consensus_desktop.engine.batch_generate import BatchGenerator, RawSample
from consensus_desktop.engine.budget import ContextFitting
from consensus_desktop.engine.cleaning import clean_candidate, dedup_key
from consensus_desktop.engine.embedder import Embedder
from consensus_desktop.engine.local_model import LocalModel, default_threads
from consensus_desktop.engine.types import (
    Candidate,
    GenerationReport,
    ModelInfo,
    Progress,
    SamplingParams,
)
from consensus_desktop.model_catalog import verified_sha256
from consensus_desktop.prompts import PromptPlan

MAX_ATTEMPTS_FACTOR = 3  # at most 3 x N samples are drawn to find N distinct usable candidates


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
        """Yield N distinct cleaned candidates as they finish, then a :class:`GenerationReport`.

        Empty, fragmentary and duplicate samples are dropped and replaced by new samples with new
        seeds, up to ``MAX_ATTEMPTS_FACTOR * n`` samples in all; the report says how many were found.
        Texts in ``reject`` (the question, the opinions) are echoes, not statements, and are dropped.
        """
        start = time.perf_counter()
        seen: set[str] = {dedup_key(t) for t in reject}
        found = attempts = tokens = rounds = 0
        budget_total = n * params.max_tokens
        done_before = 0
        while found < n and attempts < MAX_ATTEMPTS_FACTOR * n:
            missing = min(n - found, MAX_ATTEMPTS_FACTOR * n - attempts)
            seeds = [params.seed + attempts + k for k in range(missing)]
            if rounds:
                budget_total += missing * params.max_tokens
            rounds += 1
            attempts += missing
            for event in self.generator.generate(
                plan.prefix, plan.suffixes, seeds, params, plan.stop, should_stop
            ):
                if isinstance(event, Progress):
                    yield Progress(done_before + event.tokens_done, budget_total)
                    continue
                tokens += event.n_tokens
                candidate = self._candidate(event, plan)
                if candidate is None or dedup_key(candidate.text) in seen or found >= n:
                    continue
                seen.add(dedup_key(candidate.text))
                found += 1
                yield candidate
            done_before += missing * params.max_tokens
        yield GenerationReport(n, found, attempts, rounds, tokens, time.perf_counter() - start)

    @staticmethod
    def _candidate(sample: RawSample, plan: PromptPlan) -> Candidate | None:
        text = clean_candidate(sample.text)
        if not text:
            return None
        order = plan.orders[sample.variant % len(plan.orders)]
        return Candidate(
            text, sample.seed, order, sample.n_tokens, sample.finish_reason, sample.text
        )

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
