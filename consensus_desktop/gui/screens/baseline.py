"""Step 1: each participant privately rates the position statement."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

from consensus_desktop.gui.screens.consent import PrivateNote
from consensus_desktop.gui.screens.pass_laptop import PassTheLaptopScreen
from consensus_desktop.gui.style import body, heading
from consensus_desktop.gui.widgets.likert import LikertScale


class BaselineScreen(PassTheLaptopScreen):
    title = "Before we start: your position"
    step = "baseline"
    step_title = "Step 1: everyone gives their position"

    def pending(self) -> list[dict[str, Any]]:
        return self.ctx.session.pending(set(self.ctx.session.baselines()))

    def build_entry(self, person: dict[str, Any]) -> QWidget:
        flow = self.ctx.session
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(PrivateNote(f"{person['pseudonym']}, your answer is private."))
        layout.addWidget(body(flow.question["text"], 1.5))
        statement = flow.question["position_statement"] or flow.question["text"]
        layout.addWidget(heading(f"“{statement}”", 1.8))
        layout.addWidget(
            body("How much do you agree with this statement? Press a key from 1 to 7.", 1.3)
        )
        scale = LikertScale()
        layout.addWidget(scale)
        layout.addStretch(1)
        page.scale = scale  # type: ignore[attr-defined]
        page.first_focus = scale  # type: ignore[attr-defined]
        return page

    def save(self, person: dict[str, Any], seconds: float) -> None:
        value = self.entry.scale.value()  # type: ignore[union-attr]
        if value is None:
            raise ValueError("Choose a point on the scale from 1 to 7 first.")
        self.ctx.session.record_baseline(person["id"], value, seconds)
