"""The reward-model interface every predictor implements."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Protocol

import numpy as np

from consensus_desktop.engine.batch_generate import Progress


@dataclass(frozen=True)
class RewardVersion:
    """Stored with every prediction, so a prediction can be traced to what made it."""

    method: str  # e.g. "embed-cosine-v1"
    base_model: str  # GGUF file name
    base_model_sha256: str
    head_file: str | None = None
    head_sha256: str | None = None
    feature_recipe: str = ""
    validation: str = ""  # measured trust figures, shown to the facilitator

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)

    @property
    def label(self) -> str:
        return f"{self.method} on {self.base_model}"


class RewardModel(Protocol):
    version: RewardVersion

    def predict(
        self,
        question: str,
        opinions: Sequence[str],
        candidates: Sequence[str],
        should_stop: Callable[[], bool] = ...,
    ) -> Iterator[Progress | np.ndarray]:
        """Yield progress, then a (candidates x participants) array of agreement on 1–7."""
        ...

    def close(self) -> None:
        """Free what the reward model loaded for itself."""
        ...
