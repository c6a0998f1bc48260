"""A fake backend and reward model behind the declared protocols, for fast GUI tests (no model).

``tests/unit/test_backend_protocol.py`` checks that ``FakeEngine`` implements ``ModelBackend``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Sequence

import numpy as np
from sample_inputs import spread_embeddings

from consensus_desktop.engine.budget import ContextFitting
from consensus_desktop.engine.errors import GenerationCancelled
from consensus_desktop.engine.types import (
    Candidate,
    GenerationReport,
    ModelInfo,
    Progress,
    Rejected,
    SamplingParams,
)
from consensus_desktop.prompts import PromptPlan
from consensus_desktop.reward.base import RewardVersion

STATEMENTS = [
    "We support lower limits near schools, with better enforcement elsewhere.",
    "We agree that safety comes first, but limits should fit each road.",
    "Speed limits should stay as they are while enforcement improves.",
    "We should lower the speed limit on all roads to save lives.",
    "Lower limits in towns and villages, unchanged limits on motorways.",
    "Invest in safer roads and cameras before changing any limits.",
    "We agree to review limits road by road with local residents.",
    "Drivers' time matters, so only accident hot spots get lower limits.",
]


META_STATEMENT = "We strongly disagree with the first two."


class FakeEngine(ContextFitting):
    """Words are tokens; statements come from a fixed list; embeddings are hashes."""

    per_sequence_limit = 4096
    max_kv_cells = 100_000

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.info = ModelInfo(None, "fake.gguf", "fake", "fake model", 0, 4096, 8, 100, "CPU", 0)
        self.sha256 = "0" * 64
        self.calls = 0
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def truncate_tokens(self, text: str, n_tokens: int) -> str:
        return " ".join(text.split()[:n_tokens])

    def embed(
        self, texts: Sequence[str], should_stop: Callable[[], bool] = lambda: False
    ) -> Iterator[Progress | np.ndarray]:
        yield Progress(len(texts), len(texts))
        yield np.array(
            [list(hashlib.sha256(t.encode()).digest()[:8]) for t in texts], dtype=np.float32
        )

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
        self.calls += 1
        written = set(already)
        prefix = "Revised: " if "Previous consensus statement" in plan.full_prompt() else ""
        reason = screen(META_STATEMENT)  # the pipeline's real text filters see one bad sample
        if reason:
            yield Rejected(META_STATEMENT, reason, params.seed - 1)
        for i in range(n):
            if should_stop():
                raise GenerationCancelled
            time.sleep(self.delay)
            yield Progress(i * params.max_tokens, n * params.max_tokens)
            text = prefix + STATEMENTS[(i + params.seed) % len(STATEMENTS)]
            if i >= len(STATEMENTS):
                text = f"{text[:-1]}, option {i}."
            if text in written:  # as the protocol says: never a statement written before
                text = f"{text[:-1]}, once more ({params.seed + i})."
            yield Candidate(
                text, params.seed + i, plan.orders[i % len(plan.orders)], 20, "stop", text
            )
        yield GenerationReport(n, n, n, 1, 20 * n, 0.01)


class FakeReward:
    version = RewardVersion("fake", "fake.gguf", "0" * 64, validation="fake predictions for tests")

    def close(self) -> None:
        pass

    def embed(
        self, texts: Sequence[str], should_stop: Callable[[], bool] = lambda: False
    ) -> Iterator[Progress | np.ndarray]:
        """Every pair of texts has a cosine near 0.4 (see ``spread_embeddings``)."""
        yield Progress(0, 1)
        yield spread_embeddings(texts)

    def predict(
        self,
        question: str,
        opinions: Sequence[str],
        candidates: Sequence[str],
        should_stop: Callable[[], bool] = lambda: False,
        position: str = "",
        baselines: Sequence[float] = (),
    ) -> Iterator[Progress | np.ndarray]:
        yield Progress(0, 1)
        yield np.array([[self.score(c, o) for o in opinions] for c in candidates])

    def score(self, candidate: str, opinion: str) -> float:
        """A fixed 1-7 prediction from a hash of the pair."""
        return 1 + 6 * hashlib.sha256(f"{candidate}|{opinion}".encode()).digest()[0] / 255
