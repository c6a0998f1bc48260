"""Which side of the proposal a text is on: a small cross-encoder shipped in ``models/``.

all-MiniLM-L6-v2 fine-tuned (build_scripts/train_stance.py) on ``"Proposal: … Statement: …"``;
llama.cpp gives the mean-pooled embedding and a linear head (numpy) the probabilities of con,
neutral and pro. One pass per text (each candidate, each opinion), not per pair.
:func:`side` = P(pro) - P(con), in -1 … +1.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from consensus_desktop.engine.protocol import ModelBackend
from consensus_desktop.engine.types import Progress
from consensus_desktop.errors import ModelFileError

GGUF = "stance-minilm-l6-q8_0.gguf"
HEAD = "stance_minilm.npz"
CARD = "stance_minilm.json"
_AUX = re.compile(r"^(.*?)\b(should|is|are|must|can|will)\b\s+(.*)$", re.IGNORECASE)


class StanceUnavailable(ModelFileError):
    """The shipped stance model is missing or unreadable."""


def as_question(statement: str) -> str:
    """ "We should legalize cannabis" -> "Should we legalize cannabis?" (unchanged if a question
    already, or if no auxiliary verb is found)."""
    text = statement.strip().rstrip(".")
    if text.endswith("?"):
        return text
    m = _AUX.match(text)
    if m is None or not m.group(1).strip():
        return text + "?"
    subject = m.group(1).strip()
    subject = subject if subject[1:2].isupper() else subject[:1].lower() + subject[1:]
    return f"{m.group(2).capitalize()} {subject} {m.group(3)}?"


def pair_text(proposal: str, statement: str) -> str:
    """The stance model's input (the same at training and at run time)."""
    return f"Proposal: {proposal.strip()} Statement: {statement.strip()}"


def load_card(folder: Path) -> dict[str, Any]:
    path = folder / CARD
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


class StanceHead:
    """The linear head: pooled embedding -> softmax over (con, neutral, pro)."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray) -> None:
        if weight.ndim != 2 or weight.shape[0] != 3 or bias.shape != (3,):
            raise StanceUnavailable(
                f"The stance head has the wrong shape ({weight.shape}, {bias.shape})."
            )
        self.weight = weight.astype(np.float64)
        self.bias = bias.astype(np.float64)

    @classmethod
    def load(cls, path: Path) -> StanceHead:
        try:
            with np.load(path, allow_pickle=False) as data:
                return cls(np.asarray(data["weight"]), np.asarray(data["bias"]))
        except (OSError, KeyError, ValueError) as exc:
            raise StanceUnavailable(f"The stance head {path.name} cannot be read: {exc}") from exc

    def probabilities(self, pooled: np.ndarray) -> np.ndarray:
        """(n, 3): P(con), P(neutral), P(pro) per row of ``pooled``."""
        if pooled.shape[-1] != self.weight.shape[1]:
            raise StanceUnavailable(
                f"The stance head expects {self.weight.shape[1]} features, got {pooled.shape[-1]}."
            )
        logits = np.asarray(pooled, dtype=np.float64) @ self.weight.T + self.bias
        logits -= logits.max(axis=-1, keepdims=True)
        e = np.exp(logits)
        return np.asarray(e / e.sum(axis=-1, keepdims=True))


def side(probabilities: np.ndarray) -> np.ndarray:
    """P(pro) - P(con): +1 for, -1 against, 0 neutral or unsure."""
    return np.asarray(probabilities[:, 2] - probabilities[:, 0])


class StanceModel:
    """The stance encoder (its own llama.cpp model) and its head."""

    def __init__(self, encoder: ModelBackend, head: StanceHead) -> None:
        self.encoder = encoder
        self.head = head

    def probabilities(
        self,
        proposal: str,
        texts: Sequence[str],
        should_stop: Callable[[], bool] = lambda: False,
    ) -> Iterator[Progress | np.ndarray]:
        """Yield progress, then (len(texts), 3) probabilities of con, neutral, pro."""
        pooled: np.ndarray | None = None
        for event in self.encoder.embed([pair_text(proposal, t) for t in texts], should_stop):
            if isinstance(event, Progress):
                yield event
            else:
                pooled = np.asarray(event)
        assert pooled is not None
        yield self.head.probabilities(pooled)

    def close(self) -> None:
        self.encoder.close()
