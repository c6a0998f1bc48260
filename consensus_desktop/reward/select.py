"""Which reward model to use: the best measured of the available methods."""

from __future__ import annotations

import logging
from pathlib import Path

from consensus_desktop import paths
from consensus_desktop.engine.errors import ModelError
from consensus_desktop.engine.factory import open_backend
from consensus_desktop.engine.protocol import ModelBackend
from consensus_desktop.model_catalog import shipped_data_dir
from consensus_desktop.reward.base import RewardModel
from consensus_desktop.reward.embedding_similarity import EmbeddingSimilarityReward
from consensus_desktop.reward.head import HeadMismatch, RewardHead
from consensus_desktop.reward.minilm import MiniLMUnavailable, minilm_path
from consensus_desktop.reward.minilm_cosine import MiniLMCosineReward
from consensus_desktop.reward.minilm_cosine import load_card as load_minilm_card
from consensus_desktop.reward.stance_model import GGUF as STANCE_GGUF
from consensus_desktop.reward.stance_model import HEAD as STANCE_HEAD
from consensus_desktop.reward.stance_model import StanceHead, StanceModel, StanceUnavailable
from consensus_desktop.reward.stance_model import load_card as load_stance_card
from consensus_desktop.reward.stance_reward import StanceAwareReward
from consensus_desktop.reward.trained_head import TrainedHeadReward

log = logging.getLogger(__name__)


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


def stance_reward(folder: Path | None = None) -> StanceAwareReward | MiniLMCosineReward:
    """The MiniLM cosine with the shipped stance model (reward/stance_reward.py); without the
    stance model (missing or unreadable files) the plain MiniLM cosine, with one logged sentence.
    Raises what :func:`minilm_path` / the backend raise when MiniLM itself is missing."""
    folder = folder or shipped_data_dir()
    encoder = open_backend(minilm_path())
    try:
        card = load_stance_card(folder)
        if not card.get("weight"):
            raise StanceUnavailable("The stance model's weight is not measured (no card).")
        head = StanceHead.load(folder / STANCE_HEAD)
        gguf = folder / STANCE_GGUF
        if not gguf.exists():
            raise StanceUnavailable(f"The stance model {STANCE_GGUF} is missing.")
        stance = StanceModel(open_backend(gguf), head)
    except (StanceUnavailable, ModelError, OSError, ValueError) as exc:
        log.warning("%s Predictions cannot tell which side a statement is on.", exc)
        return MiniLMCosineReward(encoder, load_minilm_card())
    return StanceAwareReward(encoder, stance, load_minilm_card(), card)


def reward_for(engine: ModelBackend, head_path: Path | None = None) -> RewardModel:
    """The reward model with the best measured validation AUC, among those available.

    Candidates: the trained head made for this generator (its card), the generator's zero-shot
    cosine (figures in the head's card), and the all-MiniLM-L6-v2 cosine (its card in
    ``models/``). A method without a measurement counts as chance. ``head_path`` forces a head
    (and raises HeadMismatch if it is for another model).
    """
    if head_path is not None:
        return TrainedHeadReward(engine, RewardHead.load(head_path, engine.sha256))
    head = find_head(engine.sha256)
    head_metrics = head.card.get("metrics", {}) if head else {}
    cosine_metrics = head.card.get("baseline_cosine_metrics", {}) if head else {}
    minilm_card = load_minilm_card()
    options = [
        (minilm_card.get("metrics", {}).get("val_auc_mean", 0.5), 2, "minilm"),
        (head_metrics.get("val_auc_mean", 0.5) if head else -1.0, 1, "head"),
        (cosine_metrics.get("val_auc_mean", 0.5), 0, "cosine"),
    ]
    for _, _, kind in sorted(options, reverse=True):
        if kind == "minilm":
            try:
                return stance_reward()
            except (MiniLMUnavailable, ModelError, OSError) as exc:
                log.warning("sentence encoder unavailable, using the next best reward: %s", exc)
        elif kind == "head" and head is not None:
            return TrainedHeadReward(engine, head)
        elif kind == "cosine":
            return EmbeddingSimilarityReward(engine, measured=cosine_metrics or None)
    return EmbeddingSimilarityReward(engine)
