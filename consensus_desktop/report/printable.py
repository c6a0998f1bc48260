"""A report's texts made fit for a printed page: capped and breakable.

A browser wraps any text, however long; Qt's page layout takes minutes over a statement of a
megabyte, or one unbroken "word" of thousands of letters (the PDF of a 1 MB statement was still
being written after 300 s). For print, every text is cut at :data:`MAX_CHARS` with a note saying
how much was left out (the HTML report keeps it whole), and each run of letters longer than
:data:`BREAK_EVERY` gets a zero-width space every :data:`BREAK_EVERY` characters so it can wrap.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

MAX_CHARS = 4000
BREAK_EVERY = 40
_LONG_RUN = re.compile(rf"\S{{{BREAK_EVERY + 1},}}")

T = TypeVar("T")


def printable_text(text: str) -> str:
    if len(text) > MAX_CHARS:
        left = len(text) - MAX_CHARS
        text = f"{text[:MAX_CHARS]}… [{left:,} more characters: the HTML report has the whole text]"
    return _LONG_RUN.sub(
        lambda m: "\u200b".join(
            m.group(0)[i : i + BREAK_EVERY] for i in range(0, len(m.group(0)), BREAK_EVERY)
        ),
        text,
    )


def printable(value: T) -> T:
    """``value`` (a report, or any of its parts) with every text made printable."""
    return _printable(value)


def _printable(value: Any) -> Any:
    if isinstance(value, str):
        return printable_text(value)
    if isinstance(value, tuple):
        return tuple(_printable(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _printable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value  # numbers, dicts of model metadata
