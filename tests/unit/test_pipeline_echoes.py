"""The few-shot examples' statements are echoes of the prompt, never candidates: word for word
(by text) or with a word or two changed (by sentence embeddings)."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Sequence
from pathlib import PurePath
from typing import Any

import numpy as np

from consensus_desktop.engine.budget import ContextFitting
from consensus_desktop.engine.cleaning import dedup_key
from consensus_desktop.engine.types import Candidate, GenerationReport, ModelInfo
from consensus_desktop.pipeline import RunResult, run
from consensus_desktop.prompts import FEW_SHOT_EXAMPLES, TEMPLATES, PromptPlan
from consensus_desktop.reward.base import RewardVersion
from consensus_desktop.run_request import DEFAULT_TEMPLATE, RunRequest

OWN = "We agree that limits near schools should be lower, and reviewed each year."
# the first example's statement with two words changed: not an exact echo, but a copy
NEAR_COPY = FEW_SHOT_EXAMPLES[0].consensus.replace("more bike lanes", "new bike paths")


class CopyingEngine(ContextFitting):
    """Writes the prompt's first example statement back, as small models do, then a near-copy of
    it, then a real one. Filters as the real engine does: by ``dedup_key`` against ``reject`` and
    ``already``."""

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
        for i, text in enumerate([FEW_SHOT_EXAMPLES[0].consensus.upper(), NEAR_COPY, OWN]):
            if dedup_key(text) not in seen:
                found += 1
                yield Candidate(text, i, plan.orders[0], 20, "stop", text)
        yield GenerationReport(n, found, 3, 1, 60, 0.01)


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
        """Bag of hashed words: texts that share most words are near each other."""
        out = np.zeros((len(texts), 256))
        for row, text in zip(out, texts, strict=True):
            for word in re.findall(r"\w+", text.lower()):
                row[zlib.crc32(word.encode()) % 256] += 1.0
        yield out

    def close(self) -> None:
        pass


def test_example_statements_are_rejected_as_echoes() -> None:
    request = RunRequest("Should we lower the speed limit?", ("Yes, near schools.", "No."), n=2)
    examples = TEMPLATES[DEFAULT_TEMPLATE].examples
    assert request.example_statements() == tuple(ex.consensus for ex in examples)
    events = list(run(CopyingEngine(), FlatReward(), request))  # type: ignore[arg-type]
    result = events[-1]
    assert isinstance(result, RunResult)
    assert [c.text for c in result.candidates] == [OWN]
    assert {(r.text, r.reason) for r in result.rejected} == {
        (NEAR_COPY, "copies an example of the prompt")
    }
