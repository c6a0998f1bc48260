"""The long-lived engine: one model, loaded once per session, serving every request.

All methods are generators (or return quickly) and must be called from one owner thread; the GUI
runs them in a single worker. Generators accept ``should_stop`` and raise
:class:`GenerationCancelled` at the next decode step when it returns True.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
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
    Rejected,
    SamplingParams,
)
from consensus_desktop.model_catalog import verified_sha256
from consensus_desktop.prompts import PromptPlan, as_chat, chat_messages


class Engine(ContextFitting):
    """A GGUF model on this machine, run by llama.cpp; implements :class:`ModelBackend`."""

    def __init__(
        self,
        model_path: str | Path,
        n_threads: int | None = None,
        n_gpu_layers: int | None = None,
        per_sequence_limit: int = 8192,
        max_kv_cells: int = 32768,
        prompt: str = "auto",
        adapter: Path | None = None,
    ) -> None:
        self.model_path = Path(model_path)
        self.model = LocalModel(model_path, n_gpu_layers=n_gpu_layers, adapter=adapter)
        self.n_threads = n_threads or default_threads()
        self.generator = BatchGenerator(self.model, self.n_threads, max_kv_cells=max_kv_cells)
        self.per_sequence_limit = min(per_sequence_limit, self.model.info.n_ctx_train)
        self.max_kv_cells = max_kv_cells
        self._embedder: Embedder | None = None
        # "auto": the chat template when the GGUF has one llama.cpp can apply (instruct models)
        self.chat = self.model.chat_template is not None and prompt in ("auto", "chat")
        self.model.parse_special = self.chat
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

    def log_likelihood(self, prompt: list[int], completion: list[int]) -> float:
        """Sum of the completion tokens' log-probabilities given the prompt's, through the
        generation context: with the adapter when one is loaded."""
        return self.generator.log_likelihood(prompt, completion)

    def prepare(self, plan: PromptPlan) -> PromptPlan:
        """For an instruct model: the jury prompt as a user message in the GGUF's own chat
        template, split again into the shared prefix and one suffix per opinion order."""
        if not self.chat or plan.chat:
            return plan
        chat = as_chat(plan)
        rendered = [
            self.model.apply_chat_template(chat_messages(chat, v))
            for v in range(len(chat.suffixes))
        ]
        at = rendered[0].find(chat.prefix)
        cut = at + len(chat.prefix) if at >= 0 else 0
        if at < 0 or any(r[:cut] != rendered[0][:cut] for r in rendered):
            shortest = min(len(r) for r in rendered)
            cut = next(
                (i for i, chars in enumerate(zip(*rendered, strict=False)) if len(set(chars)) > 1),
                shortest,
            )
        return replace(
            chat,
            prefix=rendered[0][:cut],
            suffixes=tuple(r[cut:] for r in rendered),
        )

    # -- generation ---------------------------------------------------------------------------
    def generate_candidates(
        self,
        plan: PromptPlan,
        n: int,
        params: SamplingParams,
        should_stop: Callable[[], bool] = lambda: False,
        reject: Sequence[str] = (),
        screen: Callable[[str], str | None] = lambda text: None,
        already: Sequence[str] = (),
    ) -> Iterator[Candidate | Rejected | Progress | GenerationReport]:
        """Yield N distinct cleaned candidates (all samples of a round in one llama.cpp batch)
        and the rejected samples, then a :class:`GenerationReport`; see
        :func:`collect_candidates`."""

        plan = self.prepare(plan)

        def draw(seeds: list[int]) -> Iterator[Progress | RawSample]:
            return self.generator.generate(
                plan.prefix, plan.suffixes, seeds, params, plan.stop, should_stop
            )

        return collect_candidates(draw, plan, n, params, reject, screen, already)

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
