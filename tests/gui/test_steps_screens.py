"""One screen class for each step of session/steps.py, each naming its step."""

from __future__ import annotations

from consensus_desktop.gui.main_window import SCREENS
from consensus_desktop.session.steps import STEPS


def test_every_step_has_its_screen_and_every_screen_a_step() -> None:
    assert set(SCREENS) == {"start"} | {s.name for s in STEPS}
    assert all(cls.step == name for name, cls in SCREENS.items())
