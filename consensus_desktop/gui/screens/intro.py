"""Step 0: each participant reads, privately, what the session is, what the program does and what
is stored (the facilitator's text, kept with the session), and agrees to take part or not."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from consensus_desktop.gui.screens.consent import AGREE_LABEL, consent_page
from consensus_desktop.gui.screens.pass_laptop import PassTheLaptopScreen


class IntroScreen(PassTheLaptopScreen):
    title = "Welcome"
    step = "intro"
    step_title = "Welcome: everyone reads what the session is"
    save_label = AGREE_LABEL

    def pending(self) -> list[dict[str, Any]]:
        return self.ctx.session.pending(set(self.ctx.session.consents()))

    def build_entry(self, person: dict[str, Any]) -> QWidget:
        page = consent_page(self.ctx.session, person, self.decline)
        page.first_focus = self.save_button  # type: ignore[attr-defined]
        return page

    def save(self, person: dict[str, Any], seconds: float) -> None:
        self.ctx.session.record_consent(person["id"], True)
