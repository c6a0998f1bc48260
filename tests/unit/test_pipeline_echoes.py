"""The few-shot examples' statements are echoes of the prompt, never candidates."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import PurePath
from typing import Any

import numpy as np

from consensus_desktop.engine.budget import ContextFitting
from consensus_desktop.engine.cleaning import dedup_key
from consensus_desktop.engine.types import Candidate, GenerationReport, ModelInfo
from consensus_desktop.pipeline import RunRequest, RunResult, run
from consensus_desktop.prompts import FEW_SHOT_EXAMPLES, PromptPlan
from consensus_desktop.reward.base import RewardVersion

OWN = "We agree that limits near schools should be lower, and reviewed each year."


class CopyingEngine(ContextFitting):
    """Writes the prompt's first example statement back, as small models do, then a real one.
    Filters as the real engine does: by ``dedup_key`` against ``reject`` and ``already``."""

    info = ModelInfo(PurePath("copy.gguf"), "copy.gguf", "fake", "", 0, 4096, 8, 100, "CPU", 0)
    sha256 = "0" * 64

    per_sequence_limit, max_kv_cells = 4096, 100_000

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def truncate_tokens(self, text: str, n_tokens: int) -> str:
        return text

    def generate_candidates(
        self,
        plan: PromptPlan,
        n: int,
        params: Any,
        should_stop: Any = None,
        reject: Sequence[str] = (),
        screen: Any = None,
        already: Sequence[str] = (),
    ) -> Iterator[object]:
        seen = {dedup_key(t) for t in (*reject, *already)}
        found = 0
        for i, text in enumerate([FEW_SHOT_EXAMPLES[0].consensus.upper(), OWN]):
            if dedup_key(text) not in seen:
                found += 1
                yield Candidate(text, i, plan.orders[0], 20, "stop", text)
        yield GenerationReport(n, found, 2, 1, 40, 0.01)


class FlatReward:
    version = RewardVersion("flat", "copy.gguf", "0" * 64)

    def predict(
        self,
        question: str,
        opinions: Sequence[str],
        candidates: Sequence[str],
        should_stop: Any = None,
        position: str = "",
        baselines: Sequence[float] = (),
    ) -> Iterator[np.ndarray]:
        yield np.full((len(candidates), len(opinions)), 4.0)

    def embed(self, texts: Sequence[str], should_stop: Any = None) -> Iterator[np.ndarray]:
        yield np.ones((len(texts), 4))

    def close(self) -> None:
        pass


def test_example_statements_are_rejected_as_echoes() -> None:
    request = RunRequest("Should we lower the speed limit?", ("Yes, near schools.", "No."), n=2)
    assert request.example_statements() == tuple(ex.consensus for ex in FEW_SHOT_EXAMPLES)
    events = list(run(CopyingEngine(), FlatReward(), request))  # type: ignore[arg-type]
    result = events[-1]
    assert isinstance(result, RunResult)
    assert [c.text for c in result.candidates] == [OWN]
