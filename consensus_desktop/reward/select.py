"""Which reward model to use: the trained head made for this base model, else the zero-shot one."""

from __future__ import annotations

from pathlib import Path

from consensus_desktop import paths
from consensus_desktop.engine.engine import Engine
from consensus_desktop.model_catalog import shipped_data_dir
from consensus_desktop.reward.base import RewardModel
from consensus_desktop.reward.embedding_similarity import EmbeddingSimilarityReward
from consensus_desktop.reward.head import HeadMismatch, RewardHead
from consensus_desktop.reward.trained_head import TrainedHeadReward


def head_folders() -> list[Path]:
    return [paths.data_dir() / "reward_heads", shipped_data_dir()]


def find_head(model_sha256: str) -> RewardHead | None:
    """A head trained for this exact base model: the user's own first, then the shipped one."""
    for folder in head_folders():
        if not folder.is_dir():
            continue
        for npz in sorted(folder.glob("*.npz"), key=lambda p: p.stat().st_mtime, reverse=True):
            try:
                return RewardHead.load(npz, expect_model_sha256=model_sha256)
            except HeadMismatch:
                continue
    return None


def reward_for(engine: Engine, head_path: Path | None = None) -> RewardModel:
    """The reward model with the better measured validation AUC for this base model.

    ``head_path`` forces a head (and raises HeadMismatch if it is for another model). Otherwise
    the head made for this model is used when its card shows it beat the zero-shot cosine on the
    held-out conversations; if it did not (or there is no head), the zero-shot cosine is used, with
    the head's measured figures for it when known.
    """
    if head_path is not None:
        return TrainedHeadReward(engine, RewardHead.load(head_path, engine.sha256))
    head = find_head(engine.sha256)
    if head is None:
        return EmbeddingSimilarityReward(engine)
    metrics = head.card.get("metrics", {})
    baseline = head.card.get("baseline_cosine_metrics", {})
    head_auc = metrics.get("val_auc_mean", float("nan"))
    cos_auc = baseline.get("val_auc_mean", float("-inf"))
    if head_auc >= cos_auc:
        return TrainedHeadReward(engine, head)
    return EmbeddingSimilarityReward(engine, measured=baseline)
