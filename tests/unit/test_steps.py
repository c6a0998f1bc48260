"""The step order is declared once (session/steps.py) and everything follows it."""

from __future__ import annotations

import pytest

from consensus_desktop.session.steps import STEPS, step, then


def test_each_step_leads_to_a_step() -> None:
    names = [s.name for s in STEPS]
    assert len(set(names)) == len(names)
    assert all(s.then in names for s in STEPS if s.then)
    assert [then(n) for n in ("setup", "intro", "baseline", "opinions")] == [
        "intro",
        "baseline",
        "opinions",
        "generation",
    ]
    assert step("rating").title == "Step 3: rating"
    with pytest.raises(ValueError, match="unknown step 'lunch'"):
        step("lunch")
