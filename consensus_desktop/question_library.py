"""The question library: the Habermas Machine's 5,645 questions, searchable.

Questions from the Habermas Machine materials, Google DeepMind, CC BY 4.0 (see assets/ATTRIBUTION.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

ATTRIBUTION = "Questions from the Habermas Machine materials, Google DeepMind, CC BY 4.0"


@dataclass(frozen=True)
class LibraryQuestion:
    id: str
    question: str
    affirming_statement: str
    negating_statement: str
    topic: int


@lru_cache(maxsize=1)
def load_questions() -> tuple[LibraryQuestion, ...]:
    raw = (
        resources.files("consensus_desktop.assets")
        .joinpath("habermas_questions.json")
        .read_text(encoding="utf-8")
    )
    return tuple(
        LibraryQuestion(
            str(q["id"]),
            q["question"],
            q.get("affirming_statement", ""),
            q.get("negating_statement", ""),
            int(q.get("topic", -1)),
        )
        for q in json.loads(raw)
    )


def search(text: str, limit: int = 200) -> list[LibraryQuestion]:
    """Questions with a word starting with each word of ``text`` (case-insensitive), shortest
    first: "car" finds "cars" but not "healthcare"."""
    starts = [re.compile(rf"\b{re.escape(w)}") for w in text.casefold().split()]
    hits = [q for q in load_questions() if all(s.search(q.question.casefold()) for s in starts)]
    hits.sort(key=lambda q: len(q.question))
    return hits[:limit]
