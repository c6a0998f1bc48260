"""Inputs shared by the integration tests."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np

# ../shared/data/polis beside the checkout (a git worktree sits one folder deeper)
_BESIDE = [p / "shared" / "data" / "polis" for p in Path(__file__).resolve().parents[1:3]]
POLIS = next((p for p in _BESIDE if p.is_dir()), _BESIDE[0])

QUESTION = "Should we lower the speed limit on roads?"
OPINIONS = (
    "Lower limits save lives, especially near schools and in towns.",
    "I drive for work and slower roads would cost me time and money.",
    "Enforcement matters more than the number on the sign; many people already speed.",
)


def spread_embeddings(texts: Sequence[str]) -> np.ndarray:
    """Test embeddings: a shared direction plus a direction of each text's own, so every pair of
    texts has a cosine near 0.4 (none off the question, none near-duplicates)."""
    import hashlib

    import numpy as np

    rows = []
    for t in texts:
        seed = int.from_bytes(hashlib.sha256(t.encode()).digest()[:4], "little")
        own = np.random.default_rng(seed).standard_normal(256)
        own[0] = 0.0
        base = np.zeros(256)
        base[0] = 1.0
        rows.append(base + 1.2 * own / np.linalg.norm(own))
    return np.array(rows)
