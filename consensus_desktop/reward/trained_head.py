"""The trained reward head as a :class:`RewardModel`: N + M embeddings, then cheap pair maths."""

from __future__ import annotations

import numpy as np

from consensus_desktop.engine.protocol import ModelBackend
from consensus_desktop.reward.base import RewardVersion, describe_validation
from consensus_desktop.reward.embedded import EmbeddingReward
from consensus_desktop.reward.head import RewardHead

METHOD = "trained-head-v1"


class TrainedHeadReward(EmbeddingReward):
    def __init__(self, engine: ModelBackend, head: RewardHead) -> None:
        super().__init__(engine)
        self.head = head
        self.version = RewardVersion(
            method=METHOD,
            base_model=engine.info.file_name,
            base_model_sha256=engine.sha256,
            head_file=head.card.get("head_file"),
            head_sha256=head.card.get("head_sha256"),
            feature_recipe=head.recipe,
            validation=describe_validation("trained head", head.card.get("metrics")),
            val_auc=head.card.get("metrics", {}).get("val_auc_mean"),
        )

    def score(self, opinions: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        return self.head.agreement_matrix(opinions, candidates)
