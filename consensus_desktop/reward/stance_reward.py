"""MiniLM cosine plus which side of the proposal each statement and each person is on.

Agreement = ``4 + 6 (cos - mean cos) + weight * s_c * p_i``, clipped to 1-7: ``s_c`` is the
candidate's side (P(pro) - P(con) from reward/stance_model.py, -1 … +1), ``p_i`` the person's:
their baseline rating of the position statement as -1 … +1 when the session has one (a 7 on
"we should" is +1), else the side of their opinion. The proposal the sides refer to is the
position statement when there is one, else the question. ``weight`` is fitted on training topics
(build_scripts/fit_stance_weight.py; figures in ``models/stance_minilm.json``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from consensus_desktop.engine.protocol import ModelBackend
from consensus_desktop.engine.types import Progress
from consensus_desktop.reward.base import RewardVersion, describe_validation
from consensus_desktop.reward.minilm_cosine import MiniLMCosineReward
from consensus_desktop.reward.stance import leaning
from consensus_desktop.reward.stance_model import StanceModel, side

METHOD = "minilm-cosine-stance-v1"


def describe_side(card: dict[str, Any]) -> str:
    """The sentence about the stance model's held-out figures (bench_stance.py), if measured."""
    who = (
        ". Each person's side: their baseline rating of the position statement when given, "
        "else their opinion's"
    )
    bench = card.get("bench") or {}
    if "stance_auc" not in bench:
        return f"{who}; the stance model is not measured"
    return (
        f"{who}; on held-out yes/no questions, telling same side from opposite sides, ROC-AUC "
        f"{bench['baseline_stance_auc']:.2f} -> {bench['stance_auc']:.2f} with stance words, "
        f"{bench['baseline_implicit_auc']:.2f} -> {bench['implicit_auc']:.2f} from the reasons only"
    )


def with_sides(
    agreement: np.ndarray, candidate_side: np.ndarray, person_side: np.ndarray, weight: float
) -> np.ndarray:
    """candidates x participants agreement moved by ``weight * s_c * p_i``, within 1-7."""
    return np.clip(agreement + weight * np.outer(candidate_side, person_side), 1.0, 7.0)


def person_sides(opinion_side: np.ndarray, baselines: Sequence[float]) -> np.ndarray:
    """Each person's side: their baseline rating when given (one per person), else their opinion's."""
    if len(baselines) == len(opinion_side) and len(baselines) > 0:
        return leaning(baselines)
    return opinion_side


class StanceAwareReward(MiniLMCosineReward):
    def __init__(
        self,
        encoder: ModelBackend,
        stance: StanceModel,
        card: dict[str, Any] | None,
        stance_card: dict[str, Any],
    ) -> None:
        super().__init__(encoder, card)
        self.stance_model = stance
        self.stance_weight = None  # the cosine-to-negation hook of reward/stance.py is replaced
        self.side_weight = float(stance_card.get("weight", 0.0))
        metrics = (card or {}).get("metrics")
        self.version = RewardVersion(
            method=METHOD,
            base_model=encoder.info.file_name,
            base_model_sha256=encoder.sha256,
            head_file=stance_card.get("head"),
            head_sha256=stance_card.get("encoder_sha256"),
            feature_recipe="all-MiniLM-L6-v2 cosine, 4 + 6 (cos - mean cos), plus "
            f"{self.side_weight:g} x side(statement) x side(person) from "
            f"{stance_card.get('encoder', 'the stance model')}",
            validation=describe_validation(
                "zero-shot sentence similarity (English; Polis figures for the similarity alone)",
                metrics,
            )
            + describe_side(stance_card),
            val_auc=(metrics or {}).get("val_auc_mean"),
        )

    def predict(
        self,
        question: str,
        opinions: Sequence[str],
        candidates: Sequence[str],
        should_stop: Callable[[], bool] = lambda: False,
        position: str = "",
        baselines: Sequence[float] = (),
    ) -> Iterator[Progress | np.ndarray]:
        agreement: np.ndarray | None = None
        for event in super().predict(question, opinions, candidates, should_stop):
            if isinstance(event, Progress):
                yield event
            else:
                agreement = np.asarray(event)
        assert agreement is not None
        if not opinions or not candidates or not self.side_weight:
            yield agreement
            return
        proposal = position.strip() or question.strip()
        probs: np.ndarray | None = None
        for event in self.stance_model.probabilities(
            proposal, [*candidates, *opinions], should_stop
        ):
            if isinstance(event, Progress):
                yield event
            else:
                probs = np.asarray(event)
        assert probs is not None
        sides = side(probs)
        n_c = len(candidates)
        yield with_sides(
            agreement, sides[:n_c], person_sides(sides[n_c:], baselines), self.side_weight
        )

    def close(self) -> None:
        super().close()
        self.stance_model.close()
