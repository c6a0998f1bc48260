"""Training entry points shared by `consensus-desktop reward train` and the build script."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from consensus_desktop.engine.protocol import ModelBackend
from consensus_desktop.engine.types import Progress
from consensus_desktop.reward.head import RewardHead
from consensus_desktop.reward.polis_data import ATTRIBUTION, Conversation, load_all, split
from consensus_desktop.reward.training import EmbeddingCache, train


def _engine_embed(engine: ModelBackend) -> Callable[[Sequence[str]], np.ndarray]:
    def embed(texts: Sequence[str]) -> np.ndarray:
        out = None
        for event in engine.embed(list(texts)):
            if not isinstance(event, Progress):
                out = event
        assert out is not None
        return out

    return embed


def train_and_save(
    polis: Path,
    out: Path,
    model_path: str | None,
    seed: int,
    l2: float,
    session_conversations: Sequence[Conversation],
    say: Callable[[str], None],
    only_if_better_than: Path | None = None,
) -> int:
    from consensus_desktop.engine.factory import open_backend
    from consensus_desktop.model_catalog import resolve_model

    engine = open_backend(resolve_model(model_path))
    try:
        cache = EmbeddingCache(engine.sha256, _engine_embed(engine))
        training, validation = split(load_all(polis))
        training = training + list(session_conversations)
        head: RewardHead | None = None
        for event in train(
            training, validation, cache, engine.info.file_name, engine.sha256, seed=seed, l2=l2
        ):
            if isinstance(event, RewardHead):
                head = event
            elif isinstance(event, str):
                say(event)
        assert head is not None
    finally:
        engine.close()
    head.card["training_data"] = ATTRIBUTION
    head.card["sessions_added"] = [c.name for c in session_conversations]
    new_auc = head.card["metrics"]["val_auc_mean"]
    if only_if_better_than is not None and only_if_better_than.exists():
        old = RewardHead.load(only_if_better_than)
        old_auc = old.card.get("metrics", {}).get("val_auc_mean", float("-inf"))
        if new_auc < old_auc:
            say(f"kept the current head: validation AUC {new_auc:.3f} < {old_auc:.3f}")
            return 0
    npz, card = head.save(out)
    say(f"wrote {npz} and {card}")
    return 0
