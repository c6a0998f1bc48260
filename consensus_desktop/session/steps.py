"""The steps of a session, in the order the room goes through them: declared here once.

A new step is one entry below plus its screen (a class with ``step`` set to the entry's name,
listed in gui/main_window.py); the screens, the status bar and a resumed session all read this.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    name: str
    title: str  # as the status bar and the projector name the step
    then: str = ""  # the step that follows when this one is done; "" where the screen decides


STEPS = (
    Step("setup", "New session", "intro"),
    Step("intro", "Welcome", "baseline"),
    Step("baseline", "Step 1: position", "opinions"),
    Step("opinions", "Step 2: opinions", "generation"),
    Step("generation", "Statements", "tradeoffs"),
    Step("tradeoffs", "Trade-offs", "rating"),  # or, once the room has rated: results, critique
    Step("rating", "Step 3: rating", "tradeoffs"),
    Step("critique", "Critique round", "generation"),
    Step("results", "Result"),  # the next question's baseline, or the start page
    Step("plenary", "Plenary"),  # an assembly's plenary (consensus_desktop/assembly)
)
_BY_NAME = {s.name: s for s in STEPS}


def step(name: str) -> Step:
    """The step called ``name``; a ValueError for a name that is not a step."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown step {name!r}") from None


def then(name: str) -> str:
    """The step that follows ``name`` (its screen moves there when done)."""
    return step(name).then
