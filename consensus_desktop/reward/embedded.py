"""Shared shape of the embedding-based reward models: N + M embeddings, then pair maths."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from consensus_desktop.engine.protocol import ModelBackend
from consensus_desktop.engine.types import Progress
from consensus_desktop.prompts import clean_participant_text
from consensus_desktop.reward.head import unit_centred, unit_length
from consensus_desktop.reward.stance import candidate_stance, negated_position, with_stance


def cosine_agreement(opinions: np.ndarray, candidates: np.ndarray, scale: float) -> np.ndarray:
    """candidates x participants agreement ``4 + scale (c - mean c)`` from unit vectors.

    Subtracting the request's mean cosine keeps predictions around neutral (centred vectors have
    a mean cosine of about -1/(n-1); plain sentence embeddings a positive one); the order, which
    carries the signal, is unchanged.
    """
    cosine = candidates @ opinions.T
    return np.clip(4.0 + scale * (cosine - cosine.mean()), 1.0, 7.0)


class EmbeddingReward:
    """Embeds each opinion and each candidate once (batched), centres them on the group's mean
    (when ``centre``) and scales them to unit length, then :meth:`score` combines the pairs."""

    centre = True
    stance_weight: float | None = None  # measured in the model's card (reward/stance.py)

    def __init__(self, engine: ModelBackend, owns_engine: bool = False) -> None:
        self.engine = engine
        self.owns_engine = owns_engine

    def close(self) -> None:
        """Free an encoder model this reward loaded for itself (not the shared generator)."""
        if self.owns_engine:
            self.engine.close()

    def embed(
        self, texts: Sequence[str], should_stop: Callable[[], bool] = lambda: False
    ) -> Iterator[Progress | np.ndarray]:
        cleaned = [clean_participant_text(t).text or "(empty)" for t in texts]
        yield from self.engine.embed(cleaned, should_stop)

    def score(self, opinions: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """candidates x participants agreement (1–7) from unit vectors."""
        raise NotImplementedError

    def predict(
        self,
        question: str,
        opinions: Sequence[str],
        candidates: Sequence[str],
        should_stop: Callable[[], bool] = lambda: False,
        position: str = "",
        baselines: Sequence[float] = (),
    ) -> Iterator[Progress | np.ndarray]:
        if not opinions or not candidates:
            yield np.zeros((len(candidates), len(opinions)))
            return
        use_stance = bool(position.strip()) and len(baselines) == len(opinions)
        use_stance = use_stance and self.stance_weight is not None
        extra = [position, negated_position(position)] if use_stance else []
        emb: np.ndarray | None = None
        for event in self.embed([*opinions, *candidates, *extra], should_stop):
            if isinstance(event, Progress):
                yield event
            else:
                emb = event
        assert emb is not None
        n_o, n_c = len(opinions), len(candidates)
        unit = unit_centred(emb[: n_o + n_c]) if self.centre else unit_length(emb[: n_o + n_c])
        agreement = self.score(unit[:n_o], unit[n_o:])
        if use_stance and self.stance_weight is not None:
            raw = emb[n_o:]
            stance = candidate_stance(raw[:n_c], raw[n_c], raw[n_c + 1])
            agreement = with_stance(agreement, stance, baselines, self.stance_weight)
        yield agreement
