"""The trained reward head as a :class:`RewardModel`: N + M embeddings, then cheap pair maths."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from consensus_desktop.engine.batch_generate import Progress
from consensus_desktop.engine.engine import Engine
from consensus_desktop.prompts import clean_participant_text
from consensus_desktop.reward.base import RewardVersion
from consensus_desktop.reward.head import RewardHead, head_card_summary, unit_centred

METHOD = "trained-head-v1"


class TrainedHeadReward:
    def __init__(self, engine: Engine, head: RewardHead) -> None:
        self.engine = engine
        self.head = head
        self.version = RewardVersion(
            method=METHOD,
            base_model=engine.info.file_name,
            base_model_sha256=engine.sha256,
            head_file=head.card.get("head_file"),
            head_sha256=head.card.get("head_sha256"),
            feature_recipe=head.recipe,
            validation=head_card_summary(head.card),
        )

    def embed(
        self, texts: Sequence[str], should_stop: Callable[[], bool]
    ) -> Iterator[Progress | np.ndarray]:
        cleaned = [clean_participant_text(t).text or "(empty)" for t in texts]
        yield from self.engine.embed(cleaned, should_stop)

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
        emb: np.ndarray | None = None
        for event in self.embed([*opinions, *candidates], should_stop):
            if isinstance(event, Progress):
                yield event
            else:
                emb = event
        assert emb is not None
        unit = unit_centred(emb)  # centred on this group's texts, as in training
        yield self.head.agreement_matrix(unit[: len(opinions)], unit[len(opinions) :])
