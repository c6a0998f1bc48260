"""A first, zero-shot reward: how close a candidate is to a participant's own opinion.

Each opinion and each candidate is embedded once (cost grows with N + M, not N x M) by the engine's
model (mean pooling). The embeddings are centred on their common mean, which removes the direction
every text of a small model shares, and the cosine c of opinion and candidate, less the mean
cosine of the request, becomes agreement ``4 + 3c`` on the 1–7 scale. It is a weak signal
(measured on held-out Polis conversations, see the head's card); the GUI and CLI say so.
"""

from __future__ import annotations

import numpy as np

from consensus_desktop.engine.protocol import ModelBackend
from consensus_desktop.reward.base import RewardVersion, describe_validation
from consensus_desktop.reward.embedded import EmbeddingReward, cosine_agreement

METHOD = "embed-cosine-v1"


class EmbeddingSimilarityReward(EmbeddingReward):
    def __init__(self, engine: ModelBackend, measured: dict[str, float] | None = None) -> None:
        super().__init__(engine)
        self.version = RewardVersion(
            method=METHOD,
            base_model=engine.info.file_name,
            base_model_sha256=engine.sha256,
            feature_recipe="mean-pooled embeddings, centred, unit; 4 + 3 (cos - mean cos)",
            validation=describe_validation("zero-shot similarity", measured),
            val_auc=(measured or {}).get("val_auc_mean"),
        )

    def score(self, opinions: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        return cosine_agreement(opinions, candidates, scale=3.0)
