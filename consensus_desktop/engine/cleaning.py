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


def _first_stop(text: str, stops: Sequence[str], lead: int, searched: int) -> int:
    """Where the first stop string at or after ``lead`` begins, or -1. ``text[:searched]`` was
    searched before and held none, so only matches that end after it are looked for."""
    return min(
        (
            i
            for s in stops
            if (i := text.find(s, max(lead, searched - len(s) + 1) if searched else lead)) >= 0
        ),
        default=-1,
    )


def _lead(text: str) -> int:
    return len(text) - len(text.lstrip())


def cut_at_stop(text: str, stops: Sequence[str]) -> tuple[str, bool]:
    """Cut at the first stop string that occurs *after* the answer has begun.

    Both default models open their answer with a newline or two, so a stop on a blank line must
    only count once some non-space text has been written.
    """
    lead = _lead(text)
    if lead == len(text):
        return text, False
    cut = _first_stop(text, stops, lead, 0)
    if cut < 0:
        return text, False
    return text[:cut], True


class StopScanner:
    """:func:`cut_at_stop` for a text that grows a piece at a time: each piece costs a search of
    the tail where a stop string could newly end, not of the whole text."""

    def __init__(self, stops: Sequence[str]) -> None:
        self.stops = tuple(stops)
        self.text = ""
        self._lead = -1  # unknown until the answer begins
        self._searched = 0

    def feed(self, piece: str) -> bool:
        """Append ``piece``; True when a stop string now occurs after the answer began."""
        self.text += piece
        if not self.stops:
            return False
        if self._lead < 0:
            lead = _lead(self.text)
            if lead == len(self.text):
                return False
            self._lead = lead
        hit = _first_stop(self.text, self.stops, self._lead, self._searched) >= 0
        self._searched = len(self.text)
        return hit
