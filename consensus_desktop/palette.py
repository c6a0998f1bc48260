"""Colours shared by the app's widgets and the printable report (plain RGB, no Qt)."""

from __future__ import annotations

import math

RGB = tuple[int, int, int]

NO_VALUE: RGB = (220, 220, 220)

# one colour per candidate on the winner-vs-alpha strip (Tableau 10)
CANDIDATE_COLORS = (
    "#4C78A8",
    "#F58518",
    "#54A24B",
    "#E45756",
    "#72B7B2",
    "#B279A2",
    "#FF9DA6",
    "#9D755D",
    "#BAB0AC",
    "#EECA3B",
)


def agreement_rgb(value: float) -> RGB:
    """1–7 agreement: red for disagree, white for neutral (4), green for agree; grey if missing."""
    if not math.isfinite(value):
        return NO_VALUE
    t = max(-1.0, min(1.0, (value - 4.0) / 3.0))
    if t >= 0:
        return (int(255 - 180 * t), int(255 - 70 * t), int(255 - 180 * t))
    t = -t
    return (int(255 - 40 * t), int(255 - 170 * t), int(255 - 170 * t))


def hex_color(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)
