"""What a name or a label may hold: shared by what people type (the pipeline's pseudonyms, the
CLI) and what files bring (store/file_values.py)."""

from __future__ import annotations

import unicodedata


def label_problem(text: str) -> str | None:
    """Why ``text`` cannot be a name or label: control or format (bidi, zero-width) characters."""
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf"):
            what = "a control character" if category == "Cc" else "an invisible format character"
            return f"{what} (U+{ord(ch):04X})"
    return None
