"""The reward-model interface every predictor implements."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import numpy as np

from consensus_desktop.engine.types import Progress


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
    val_auc: float | None = None  # mean ROC-AUC on held-out Polis conversations, if measured

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)

    @property
    def label(self) -> str:
        return f"{self.method} on {self.base_model}"


def describe_validation(what: str, metrics: dict[str, Any] | None) -> str:
    """The sentence the UI and CLI show about how far a reward model's predictions can be
    trusted, from its measured validation figures (or the lack of them)."""
    if not metrics or "val_auc_mean" not in metrics:
        return (
            f"{what}, not validated for this model: a weak guide at best, the room's ratings decide"
        )
    within = metrics.get("val_within_participant_auc", float("nan"))
    return (
        f"{what}; on unseen Polis conversations mean ROC-AUC {metrics['val_auc_mean']:.2f}, "
        f"within-participant {within:.2f} (0.5 = chance): a weak guide, the room's ratings decide"
    )


def describe_stance(stance: dict[str, Any]) -> str:
    """The sentence about the stance signal (position statement + baseline ratings), if used."""
    if not stance.get("weight"):
        return ""
    before, after = stance["metrics_without"], stance["metrics_with"]
    return (
        f". With the position statement and each person's baseline rating: ROC-AUC "
        f"{before['val_auc_mean']:.2f} -> {after['val_auc_mean']:.2f}, within-participant "
        f"{before['val_within_participant_auc']:.2f} -> {after['val_within_participant_auc']:.2f}"
    )


class RewardModel(Protocol):
    version: RewardVersion

    def predict(
        self,
        question: str,
        opinions: Sequence[str],
        candidates: Sequence[str],
        should_stop: Callable[[], bool] = ...,
        position: str = "",
        baselines: Sequence[float] = (),
    ) -> Iterator[Progress | np.ndarray]:
        """Yield progress, then a (candidates x participants) array of agreement on 1–7.

        ``position`` and ``baselines`` (each participant's rating of it, 1–7): the stance signal
        of reward/stance.py, used by the models that measured a weight for it."""
        ...

    def embed(
        self, texts: Sequence[str], should_stop: Callable[[], bool] = ...
    ) -> Iterator[Progress | np.ndarray]:
        """Yield progress, then the sentence embeddings (rows) of ``texts`` from its encoder: what
        the filters and the shortlist compare candidates with."""
        ...

    def close(self) -> None:
        """Free what the reward model loaded for itself."""
        ...
