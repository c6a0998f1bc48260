"""A first, zero-shot reward: how close a candidate is to a participant's own opinion.

Each opinion and each candidate is embedded once (cost grows with N + M, not N x M) by the engine's
model (mean pooling). The embeddings are centred on their common mean, which removes the direction
every text of a small model shares, and the cosine c in [-1, 1] of opinion and candidate becomes
agreement ``4 + 3c`` on the 1–7 scale. It is a weak signal (Polis validation: see the issue
notes); the GUI and CLI say so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from consensus_desktop.engine.batch_generate import Progress
from consensus_desktop.engine.engine import Engine
from consensus_desktop.prompts import clean_participant_text
from consensus_desktop.reward.base import RewardVersion

METHOD = "embed-cosine-v1"


class EmbeddingSimilarityReward:
    def __init__(self, engine: Engine, measured: dict[str, float] | None = None) -> None:
        self.engine = engine
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
            feature_recipe="mean-pooled embeddings, centred, cosine -> 4 + 3c",
            validation=validation,
        )

    def predict(
        self,
        question: str,
        opinions: Sequence[str],
        candidates: Sequence[str],
        should_stop: Callable[[], bool] = lambda: False,
    ) -> Iterator[Progress | np.ndarray]:
        if not opinions or not candidates:
            yield np.zeros((len(candidates), len(opinions)))
            return
        texts = [clean_participant_text(t).text or "(empty)" for t in [*opinions, *candidates]]
        emb: np.ndarray | None = None
        for event in self.engine.embed(texts, should_stop):
            if isinstance(event, Progress):
                yield event
            else:
                emb = event
        assert emb is not None
        centred = emb - emb.mean(axis=0, keepdims=True)
        norms = np.linalg.norm(centred, axis=1, keepdims=True)
        unit = centred / np.where(norms > 0, norms, 1.0)
        ops, cands = unit[: len(opinions)], unit[len(opinions) :]
        cosine = cands @ ops.T
        yield np.clip(4.0 + 3.0 * cosine, 1.0, 7.0)
