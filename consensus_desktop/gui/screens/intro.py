"""Step 0: each participant reads, privately, what the session is, what the program does and what
is stored (the facilitator's text, kept with the session), and agrees to take part or not."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from consensus_desktop.gui.screens.pass_laptop import PassTheLaptopScreen, PrivateNote
from consensus_desktop.gui.style import body, scale_font


class IntroScreen(PassTheLaptopScreen):
    title = "Welcome"
    next_step = "baseline"
    step = "intro"
    step_title = "Welcome: everyone reads what the session is"
    save_label = "I agree to take part (Enter)"

    def pending(self) -> list[dict[str, Any]]:
        return self.ctx.session.pending(set(self.ctx.session.consents()))

    def build_entry(self, person: dict[str, Any]) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(PrivateNote(f"{person['pseudonym']}, please read this first."))
        layout.addWidget(body(self.ctx.session.intro_text, 1.35))
        layout.addStretch(1)
        decline = QPushButton("I do not want to take part")
        scale_font(decline, 1.1)
        decline.clicked.connect(self.decline)
        layout.addWidget(decline, 0, Qt.AlignmentFlag.AlignLeft)
        page.first_focus = self.save_button  # type: ignore[attr-defined]
        return page

    def save(self, person: dict[str, Any], seconds: float) -> None:
        self.ctx.session.record_consent(person["id"], True)

    def decline(self) -> None:
        if self.current is None:
            return
        try:
            self.ctx.session.record_consent(self.current["id"], False)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.show_handoff()
