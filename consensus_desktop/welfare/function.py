"""The welfare seam: one object that scores candidates for the room, used by the pipeline, the
trade-off screen, the session logic, the report and the training data.

Today it is the isoelastic family W_α over utilities ``agreement / 7`` (``isoelastic.py``); a new
welfare function is a new class with the same methods, and its ``method`` names it wherever a run
or a choice is recorded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from consensus_desktop.welfare.isoelastic import alpha_from_json, alpha_to_json, ranking, welfare
from consensus_desktop.welfare.tradeoff import TradeOff, analyse
from consensus_desktop.welfare.utilities import likert_to_utility, utility_to_likert

# the points of the family the report and the screens name
NAMED_POINTS = (("utilitarian", 0.0), ("Nash", 1.0), ("Rawlsian", math.inf))


@dataclass(frozen=True)
class WelfareFunction:
    """Isoelastic welfare W_α of a candidates x participants agreement matrix (1–7; NaN missing)."""

    alpha: float = 0.0
    family = "isoelastic"

    def of(self, agreement: ArrayLike) -> NDArray[np.float64]:
        """Each candidate's welfare, on the 1–7 scale (the last axis is the participants)."""
        return utility_to_likert(welfare(likert_to_utility(agreement), self.alpha))

    def order(self, agreement: ArrayLike) -> list[int]:
        """Candidate rows best first (ties: leximin, then input order)."""
        return [int(i) for i in ranking(likert_to_utility(agreement), self.alpha)]

    def tradeoff(self, agreement: ArrayLike) -> TradeOff:
        """How the winner changes along the whole family, α from 0 to ∞."""
        return analyse(likert_to_utility(agreement))

    def method(self, basis: str = "") -> str:
        """The name a run or a choice records, e.g. ``isoelastic (ratings+predictions)``."""
        return f"{self.family} ({basis})" if basis else self.family

    @property
    def label(self) -> str:
        """α and the name of its point of the family, for the facilitator."""
        a = self.alpha
        if a == 0:
            return "α = 0 · utilitarian (mean agreement)"
        if math.isinf(a):
            return "α = ∞ · Rawlsian (the worst-off participant)"
        if abs(a - 1) < 0.02:
            return "α = 1 · Nash (geometric mean)"
        return f"α = {a:.2f}"

    def to_json(self) -> float | str:
        return alpha_to_json(self.alpha)

    @classmethod
    def from_json(cls, value: float | str | None) -> WelfareFunction:
        """From a stored α (None, in a file from before α was stored: utilitarian)."""
        return cls(0.0 if value is None else alpha_from_json(value))
