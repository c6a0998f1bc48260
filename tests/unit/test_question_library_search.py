"""The library search matches words from their start: "car" finds cars, not healthcare."""

from __future__ import annotations

import re

from consensus_desktop.question_library import load_questions, search


def test_a_word_matches_from_its_start_only() -> None:
    hits = [q.question.casefold() for q in search("car", 10_000)]
    assert hits and all(re.search(r"\bcar", h) for h in hits), hits[:5]
    inside_only = [
        q.question
        for q in load_questions()
        if "healthcare" in q.question.casefold() and not re.search(r"\bcar", q.question.casefold())
    ]
    assert inside_only  # the library has such questions, and the search leaves them out
    assert not set(inside_only) & {q.question for q in search("car", 10_000)}


def test_every_word_must_start_a_word() -> None:
    hits = search("speed limit")
    assert hits and all("speed" in q.question.casefold() for q in hits)
    assert search("eed lim") == []
