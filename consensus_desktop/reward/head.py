"""A small trained reward head on sentence embeddings: P(agree | own opinion, candidate).

Features of one (opinion o, candidate c) pair, from embeddings centred on their group's mean and
scaled to unit length (so the cost grows with N + M texts, pairs are cheap dot products):

    cos(o, c)   and   o ⊙ c   (element-wise product: a learned diagonal bilinear similarity)

logit = bias + a·cos + w·(o ⊙ c). During training, per-participant and per-statement offsets are
fitted alongside (fixed effects) and then dropped, so the head learns the personal part -- how a
person's own words relate to a statement -- rather than who agrees with everything or which
statements a training community liked. Agreement on the 1–7 scale is the expected value 1 + 6p.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from consensus_desktop.errors import ModelFileError
from consensus_desktop.model_catalog import sha256_of
from consensus_desktop.safe_files import atomic_path, write_text

FEATURE_RECIPE = "mean-pool; centre on group mean; unit length; [cos, o*c]; logistic"
FORMAT_VERSION = 1


class HeadMismatch(ModelFileError):
    """The head was trained on another base model or recipe."""


def card_path_of(npz_path: Path) -> Path:
    """The head's card: the ``.json`` file beside its ``.npz``."""
    return Path(npz_path).with_suffix(".json")


def unit_centred(embeddings: np.ndarray, centre: np.ndarray | None = None) -> np.ndarray:
    x = embeddings.astype(np.float32)
    return unit_length(x - (x.mean(axis=0, keepdims=True) if centre is None else centre))


def unit_length(embeddings: np.ndarray) -> np.ndarray:
    x = embeddings.astype(np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


def pair_features(o: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Rows of [cos, o ⊙ c] for aligned rows of unit vectors o and c."""
    prod = o * c
    return np.concatenate([prod.sum(axis=1, keepdims=True), prod], axis=1)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


@dataclass
class RewardHead:
    weights: np.ndarray  # [a, w_1..w_d]
    bias: float
    base_model: str
    base_model_sha256: str
    recipe: str = FEATURE_RECIPE
    card: dict[str, Any] = field(default_factory=dict)

    def logits(self, features: np.ndarray) -> np.ndarray:
        return features @ self.weights + self.bias

    def agreement_matrix(self, opinions: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """candidates x participants expected agreement (1–7) from unit-centred embeddings."""
        n_c, n_o = len(candidates), len(opinions)
        o = np.repeat(opinions[None, :, :], n_c, axis=0).reshape(n_c * n_o, -1)
        c = np.repeat(candidates[:, None, :], n_o, axis=1).reshape(n_c * n_o, -1)
        p = sigmoid(self.logits(pair_features(o, c)))
        return (1.0 + 6.0 * p).reshape(n_c, n_o)

    # -- files --------------------------------------------------------------------------------
    def save(self, npz_path: Path) -> tuple[Path, Path]:
        """Write the head and its card (``.json`` beside it), each under a temporary name, fsynced
        and renamed into place. Callers check first whether they may replace existing files."""
        npz_path = Path(npz_path)
        with atomic_path(npz_path) as tmp, tmp.open("wb") as handle:
            np.savez(
                handle,
                weights=self.weights,
                bias=np.array([self.bias]),
                format_version=np.array([FORMAT_VERSION]),
            )
        card = dict(self.card)
        card.update(
            {
                "base_model": self.base_model,
                "base_model_sha256": self.base_model_sha256,
                "feature_recipe": self.recipe,
                "head_file": npz_path.name,
                "head_sha256": sha256_of(npz_path),
                "format_version": FORMAT_VERSION,
            }
        )
        card_path = write_text(
            card_path_of(npz_path), json.dumps(card, indent=2, ensure_ascii=False) + "\n"
        )
        return npz_path, card_path

    @classmethod
    def load(cls, npz_path: Path, expect_model_sha256: str | None = None) -> RewardHead:
        npz_path = Path(npz_path)
        card_path = card_path_of(npz_path)
        for needed in (npz_path, card_path):
            if not needed.is_file():
                raise HeadMismatch(
                    f"{needed} does not exist"
                    + (
                        f" (a reward head's card, beside {npz_path.name})"
                        if needed == card_path
                        else ""
                    )
                    + "."
                )
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
            data = np.load(npz_path, allow_pickle=False)  # data from a file is never executed
            weights, bias = data["weights"], float(data["bias"][0])
            version = int(data["format_version"][0])
        except (OSError, ValueError, KeyError) as exc:
            raise HeadMismatch(f"Cannot read the reward head {npz_path.name}: {exc}") from exc
        if version != FORMAT_VERSION:
            raise HeadMismatch(
                f"{npz_path.name} has head format {version}; this app reads {FORMAT_VERSION}."
            )
        if card.get("head_sha256") and card["head_sha256"] != sha256_of(npz_path):
            raise HeadMismatch(
                f"{npz_path.name} does not match the hash in its card; it was changed."
            )
        if expect_model_sha256 and card.get("base_model_sha256") != expect_model_sha256:
            raise HeadMismatch(
                f"The reward head {npz_path.name} was trained for {card.get('base_model')}, not for "
                "the model in use. Train one for this model (`consensus-desktop reward train`) or "
                "the zero-shot fallback is used."
            )
        return cls(
            weights,
            bias,
            card.get("base_model", ""),
            card.get("base_model_sha256", ""),
            card.get("feature_recipe", FEATURE_RECIPE),
            card,
        )
