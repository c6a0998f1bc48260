"""Stance toward the position statement, combined with each participant's baseline rating of it.

Sentence similarity cannot tell "We support free childcare for all" from "No, we don't want to
fund free childcare" when both share every topic word. The app has a real stance signal for each
person: how they rated the position statement before writing. A candidate's stance is its cosine
to the position minus its cosine to the position's negation (:func:`negation.negate`, or "It is
not the case that …"), standardised over the run's candidates; a participant's leaning is
``(baseline - 4) / 3`` (-1 disagree strongly … +1 agree strongly). The predicted agreement moves by
``weight * stance * leaning`` Likert points, clipped to 1-7. ``weight`` is fitted on the Polis
training conversations and measured on the held-out ones by ``build_scripts/measure_stance.py``
(figures in the encoder's card).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from consensus_desktop.reward.negation import negate
from consensus_desktop.screening import unit


def negated_position(position: str) -> str:
    flipped = negate(position)
    if flipped is not None:
        return flipped
    text = position.strip()
    return f"It is not the case that {text[:1].lower()}{text[1:]}"


def candidate_stance(
    candidates: np.ndarray, position: np.ndarray, negation: np.ndarray
) -> np.ndarray:
    """Per candidate: cosine to the position minus cosine to its negation, standardised over the
    candidates (zeros when they do not differ)."""
    u = unit(candidates)
    raw = u @ unit(position) - u @ unit(negation)
    sd = float(raw.std())
    return (raw - raw.mean()) / sd if sd > 1e-9 else np.zeros_like(raw)


def leaning(baselines: Sequence[float]) -> np.ndarray:
    """Baseline ratings 1-7 as -1 … +1 (4, neutral, is 0)."""
    return (np.asarray(baselines, dtype=np.float64) - 4.0) / 3.0


def with_stance(
    agreement: np.ndarray, stance: np.ndarray, baselines: Sequence[float], weight: float
) -> np.ndarray:
    """candidates x participants agreement moved by ``weight * stance * leaning``, within 1-7."""
    return np.clip(agreement + weight * np.outer(stance, leaning(baselines)), 1.0, 7.0)
