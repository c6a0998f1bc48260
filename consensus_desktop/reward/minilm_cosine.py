"""Zero-shot reward from a sentence encoder: cosine of all-MiniLM-L6-v2 embeddings (not centred).

A small English sentence-embedding model trained for semantic similarity ranks a participant's
agreement better than the generator's embeddings on held-out Polis conversations (figures in
``models/reward_minilm_cosine.json``). Agreement is ``4 + 6 (c - mean c)`` on the 1–7 scale,
c the cosine of opinion and candidate; the order is what carries the signal.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from consensus_desktop.engine.protocol import ModelBackend
from consensus_desktop.model_catalog import shipped_data_dir
from consensus_desktop.reward.base import RewardVersion, describe_stance, describe_validation
from consensus_desktop.reward.embedded import EmbeddingReward, cosine_agreement

METHOD = "minilm-cosine-v1"
CARD = "reward_minilm_cosine.json"


def load_card() -> dict[str, Any]:
    path = shipped_data_dir() / CARD
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


class MiniLMCosineReward(EmbeddingReward):
    centre = False

    def __init__(self, encoder: ModelBackend, card: dict[str, Any] | None = None) -> None:
        super().__init__(encoder, owns_engine=True)
        card = card if card is not None else load_card()
        stance = card.get("stance") or {}
        self.stance_weight = stance.get("weight") or None
        self.version = RewardVersion(
            method=METHOD,
            base_model=encoder.info.file_name,
            base_model_sha256=encoder.sha256,
            feature_recipe="all-MiniLM-L6-v2 mean pooling; unit length; 4 + 6 (cos - mean cos)",
            validation=describe_validation(
                "zero-shot sentence similarity (English)", card.get("metrics")
            )
            + describe_stance(stance),
            val_auc=card.get("metrics", {}).get("val_auc_mean"),
        )

    def score(self, opinions: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        return cosine_agreement(opinions, candidates, scale=6.0)
