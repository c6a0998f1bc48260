"""The one seam between the method and a model: what the pipeline, the reward models and the GUI
need from a backend. Implemented by the local llama.cpp :class:`~consensus_desktop.engine.engine.
Engine`, the OpenAI-compatible server backend and the GUI tests' fake; opened by
:func:`consensus_desktop.engine.factory.open_backend`.

Long jobs are generators: they yield :class:`Progress` as they go and raise
:class:`~consensus_desktop.engine.errors.GenerationCancelled` soon after ``should_stop`` returns
True. A backend has one owner thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from consensus_desktop.engine.budget import FittedPlan
from consensus_desktop.engine.types import (
    Candidate,
    GenerationReport,
    ModelInfo,
    Progress,
    Rejected,
    SamplingParams,
)
from consensus_desktop.prompts import PromptPlan

GenerationEvent = Candidate | Rejected | Progress | GenerationReport


@runtime_checkable
class ModelBackend(Protocol):
    @property
    def info(self) -> ModelInfo:
        """The model's name, size and where it runs (status bar, provenance)."""
        ...

    @property
    def sha256(self) -> str:
        """The model's identity for provenance: the GGUF file's sha256, or for a server model
        the sha256 of ``server-url model-id`` (a server does not say which file it runs)."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` in the model's tokenizer (an upper estimate where it is unknown)."""
        ...

    def fit(
        self,
        build: Callable[[Sequence[str], int], PromptPlan],
        opinions: Sequence[str],
        n_orders: int,
        n_samples: int,
        max_new_tokens: int,
        names: Sequence[str] | None = None,
    ) -> FittedPlan:
        """The prompt that fits the model's context (policy in :mod:`engine.budget`)."""
        ...

    def generate_candidates(
        self,
        plan: PromptPlan,
        n: int,
        params: SamplingParams,
        should_stop: Callable[[], bool] = ...,
        reject: Sequence[str] = (),
        screen: Callable[[str], str | None] = ...,
        already: Sequence[str] = (),
    ) -> Iterator[GenerationEvent]:
        """Yield progress, N distinct cleaned candidates as they finish and the samples rejected
        (echoes of ``reject``, repeats of each other or of ``already``, or a reason from
        ``screen``), then one report."""
        ...

    def embed(
        self, texts: Sequence[str], should_stop: Callable[[], bool] = ...
    ) -> Iterator[Progress | np.ndarray]:
        """Yield progress, then an (n, d) array of text embeddings."""
        ...

    def close(self) -> None:
        """Free the model (or the connection); the backend is unusable afterwards."""
        ...
