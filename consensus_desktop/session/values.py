"""The plain values of a session: its settings, a candidate as the screens show it, the scores
matrix and a row of the results list; no SQL, no Qt."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from consensus_desktop.welfare.isoelastic import alpha_from_json, alpha_to_json
from consensus_desktop.welfare.utilities import shift_predictions

MIN_PARTICIPANTS, MAX_PARTICIPANTS = 3, 12
DEFAULT_INTRO = "\n".join(
    (
        "Welcome. In this session you will:",
        "1. say how much you agree with a statement about today's question;",
        "2. write your own opinion, privately: only you see your page;",
        "3. rate statements that a computer program on this laptop writes from everyone's "
        "opinions.",
        "",
        "What the program does: it reads all the opinions (with your chosen name, not your real "
        "name) and writes statements that try to bring them together. It runs on this laptop "
        "only: nothing is sent over the internet. It can be wrong: you decide how much you agree.",
        "",
        "What is stored: your chosen name, your answers and the statements, in a file on this "
        "laptop. The facilitator may share a copy without names for research.",
        "",
        "You can stop at any time.",
    )
)


@dataclass
class Settings:
    n_candidates: int = 8
    alpha: float = 0.0
    shortlist_k: int = 4
    critique_round: bool = False
    max_tokens: int = 60
    seed: int = 1234
    question_index: int = 0  # which of the session's questions the room is on
    absent: list[int] = field(default_factory=list)  # participant ids marked absent
    intro: str = ""  # what participants read before they start; empty: DEFAULT_INTRO
    rehearsal: bool = False  # example opinions: never mixed into real data
    # a table of an assembly: its plenary finds the table by these (see consensus_desktop/assembly)
    assembly: str = ""
    table_label: str = ""

    def to_json(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["alpha"] = alpha_to_json(self.alpha)
        return d

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Settings:
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        if "alpha" in known:
            known["alpha"] = alpha_from_json(known["alpha"])
        return cls(**known)


@dataclass(frozen=True)
class CandidateView:
    id: int
    text: str
    label: str = ""  # stable within the round: A, B, …; an edited candidate is its origin + ′
    edited_from: int | None = None


def candidate_label(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else f"S{index + 1}"


# what "undo the last entry" removes, per step: (table, what it is called on screen)
UNDOABLE = {
    "baseline": "position rating",
    "opinions": "opinion",
    "rating": "ratings",
    "critique": "critique",
}


def nearly_same(a: str, b: str, threshold: float = 0.9) -> bool:
    def norm(t: str) -> str:
        return " ".join("".join(ch for ch in t.casefold() if ch.isalnum() or ch.isspace()).split())

    return difflib.SequenceMatcher(None, norm(a), norm(b)).ratio() >= threshold


def ranking_problem(ranks: dict[int, int], n: int) -> tuple[str, int] | None:
    """A sentence saying why ``ranks`` (statement number -> rank, 0 = none) is not a ranking.

    A ranking is either empty or a permutation of 1..n. Returns (sentence, first statement number
    at fault) or None when it is fine.
    """
    given = {k: v for k, v in ranks.items() if v > 0}
    if not given:
        return None
    by_rank: dict[int, list[int]] = {}
    for k in sorted(given):
        by_rank.setdefault(given[k], []).append(k)
    for rank, items in sorted(by_rank.items()):
        if len(items) > 1:
            listed = ", ".join(str(i) for i in items[:-1]) + f" and {items[-1]}"
            return (f"Statements {listed} both have rank {rank}: give each rank once.", items[0])
    missing = [k for k in sorted(ranks) if ranks[k] <= 0]
    if missing:
        return (
            f"Statement {missing[0]} has no rank: rank every statement from 1 to {n}, "
            "or clear all the ranks.",
            missing[0],
        )
    return None


@dataclass
class Scores:
    """Candidates x participants agreement (1–7): ratings where given, predictions elsewhere.

    Where a participant has rated some candidates, their other predictions are shifted by their
    mean offset (rating - prediction), shrunk by n / (n + 1) for n ratings: it puts predictions on
    the same level as that person's real ratings (measured on held-out Polis conversations with the
    default model: per-conversation AUC 0.52 -> 0.55 with five known ratings per person;
    `build_scripts/compare_reward_methods.py --quick`).
    """

    candidates: list[CandidateView]
    predicted: np.ndarray
    rated: np.ndarray  # NaN where a participant did not rate that candidate
    names: list[str] = field(default_factory=list)  # the present participants, one per column
    # the row of an earlier round's choice kept in the running, with the ratings it had then
    carried: int | None = None
    combined: np.ndarray = field(init=False)
    offsets: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        known = np.isfinite(self.rated)
        n = known.sum(axis=0)
        diff = np.where(known, self.rated - self.predicted, 0.0).sum(axis=0)
        self.offsets = np.where(n > 0, diff / np.maximum(n, 1) * n / (n + 1), 0.0)
        self.combined = np.where(known, self.rated, shift_predictions(self.predicted, self.offsets))

    @property
    def has_ratings(self) -> bool:
        """Whether the room has rated this round's statements (a carried choice's ratings are an
        earlier round's)."""
        own = [i for i in range(len(self.rated)) if i != self.carried]
        return bool(np.isfinite(self.rated[own]).any())

    def is_rated(self, index: int) -> bool:
        return bool(np.isfinite(self.rated[index]).any())

    def label(self, index: int) -> str:
        return self.candidates[index].label or str(index + 1)


@dataclass(frozen=True)
class ResultRow:
    label: str
    text: str
    predicted_mean: float
    predicted_min: float
    rated_mean: float  # NaN when nobody rated it
    n_rated: int
    chosen: bool
    note: str = ""
