"""A first, zero-shot reward: how close a candidate is to a participant's own opinion.

Each opinion and each candidate is embedded once (cost grows with N + M, not N x M) by the engine's
model (mean pooling). The embeddings are centred on their common mean, which removes the direction
every text of a small model shares, and the cosine c of opinion and candidate, less the mean
cosine of the request, becomes agreement ``4 + 3c`` on the 1–7 scale. It is a weak signal
(measured on held-out Polis conversations, see the head's card); the GUI and CLI say so.
"""

from __future__ import annotations

import numpy as np

from consensus_desktop.engine.engine import Engine
from consensus_desktop.reward.base import RewardVersion
from consensus_desktop.reward.embedded import EmbeddingReward

METHOD = "embed-cosine-v1"


class EmbeddingSimilarityReward(EmbeddingReward):
    def __init__(self, engine: Engine, measured: dict[str, float] | None = None) -> None:
        super().__init__(engine)
        if measured and "val_auc_mean" in measured:
            validation = (
                "zero-shot similarity; on unseen Polis conversations mean ROC-AUC "
                f"{measured['val_auc_mean']:.2f}, within-participant "
                f"{measured.get('val_within_participant_auc', float('nan')):.2f} (0.5 = chance): "
                "a weak guide, the room's ratings decide"
            )
        else:
            validation = (
                "zero-shot similarity, not validated for this model: a weak guide at best, "
                "the room's ratings decide"
            )
        self.version = RewardVersion(
            method=METHOD,
            base_model=engine.info.file_name,
            base_model_sha256=engine.sha256,
            feature_recipe="mean-pooled embeddings, centred, unit; 4 + 3 (cos - mean cos)",
            validation=validation,
        )

    def score(self, opinions: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        cosine = candidates @ opinions.T
        # Centred vectors have a negative mean cosine (about -1/(n-1)); without this shift every
        # prediction would lean towards "disagree". The order is unchanged.
        return np.clip(4.0 + 3.0 * (cosine - cosine.mean()), 1.0, 7.0)
