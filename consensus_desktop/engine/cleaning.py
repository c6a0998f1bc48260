"""Turn raw model continuations into candidate statements a room can read."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# An echo of the prompt's structure at the start of a continuation ("Consensus: …", "Answer: …").
_LEADING_LABEL = re.compile(
    r"^\s*(?:consensus(?: view| statement)?|revised consensus(?: view| statement)?|answer|"
    r"statement|opinion|question)\s*[:：-]\s*",
    re.IGNORECASE,
)
# Anything from an echoed structural line onwards is not part of the statement.
_ECHO = re.compile(r"\b(?:Opinion|Question|Critique|Consensus)\s*:", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…](?:[\"'”’)\]]*)(?=\s|$)")
_MARKUP = re.compile(r"<[^>]{1,20}>|\*\*|__|^\s*(?:[-*•]|\d{1,2}[.)])\s+", re.MULTILINE)
MIN_WORDS = 4


def clean_candidate(raw: str) -> str:
    """Strip prompt echoes, markup and a dangling half-sentence; '' when nothing usable is left."""
    text = unicodedata.normalize("NFC", raw).strip().strip('"“”').strip()
    while (m := _LEADING_LABEL.match(text)) is not None:
        text = text[m.end() :]
    echo = _ECHO.search(text)
    if echo:
        text = text[: echo.start()]
    text = _MARKUP.sub("", text)
    text = " ".join(text.split())
    ends = list(_SENTENCE_END.finditer(text))
    if not ends:
        return ""  # no complete sentence
    text = text[: ends[-1].end()].strip()
    if text.count('"') % 2 == 1:
        text = text.replace('"', "")
    if len(text.split()) < MIN_WORDS:
        return ""
    return text


def dedup_key(text: str) -> str:
    """Two candidates are duplicates when they match ignoring case, spaces and punctuation."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def cut_at_stop(text: str, stops: Sequence[str]) -> tuple[str, bool]:
    """Cut at the first stop string that occurs *after* the answer has begun.

    Both default models open their answer with a newline or two, so a stop on a blank line must
    only count once some non-space text has been written.
    """
    lead = len(text) - len(text.lstrip())
    body = text[lead:]
    if not body:
        return text, False
    cut = min((i for s in stops if (i := body.find(s)) >= 0), default=-1)
    if cut < 0:
        return text, False
    return text[: lead + cut], True
