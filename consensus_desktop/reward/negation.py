"""A rule-based negation of a statement, for the negation check of the reward model.

A participant's own comment against its negation shares every topic word with it; a prediction
that can tell yes from no must rank the own comment higher. :func:`negate` flips the first
auxiliary or modal verb of the first sentence ("should" -> "should not", "isn't" -> "is",
"can" -> "cannot") and returns None when it finds none, so the set holds only clean pairs.
"""

from __future__ import annotations

import re

_CONTRACTED = {
    "isn't": "is",
    "aren't": "are",
    "wasn't": "was",
    "weren't": "were",
    "don't": "do",
    "doesn't": "does",
    "didn't": "did",
    "can't": "can",
    "cannot": "can",
    "won't": "will",
    "wouldn't": "would",
    "shouldn't": "should",
    "mustn't": "must",
    "couldn't": "could",
    "hasn't": "has",
    "haven't": "have",
}
_AUX = ("should", "must", "can", "could", "will", "would", "is", "are", "was", "were", "need to")
_WORD = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in (*_CONTRACTED, *_AUX)) + r")\b(\s+not\b)?",
    re.IGNORECASE,
)


def _keep_case(new: str, old: str) -> str:
    return new[0].upper() + new[1:] if old[:1].isupper() else new


def negate(text: str) -> str | None:
    """The statement with its first auxiliary negated (or a negation removed); None if none."""
    end = re.search(r"[.!?](\s|$)", text)
    first = text[: end.end()] if end else text
    m = _WORD.search(first.replace("’", "'"))
    if m is None:
        return None
    word, has_not = m.group(1), m.group(2)
    low = word.lower()
    if low in _CONTRACTED:
        new = _CONTRACTED[low]
    elif has_not:
        new = word  # "should not" -> "should"
    elif low == "can":
        new = "cannot"
    elif low == "need to":
        new = "do not need to"
    else:
        new = f"{low} not"
    normalised = text.replace("’", "'")
    return normalised[: m.start()] + _keep_case(new, word) + normalised[m.end() :]
