"""Step 2: each participant privately writes their opinion.

The facilitator fixes typos from the facilitator page once everyone has written (never from a
participant's page).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from consensus_desktop.gui import dialogs
from consensus_desktop.gui.screens.consent import PrivateNote
from consensus_desktop.gui.screens.pass_laptop import PassTheLaptopScreen
from consensus_desktop.gui.signals import on_press
from consensus_desktop.gui.style import body, scale_font
from consensus_desktop.prompts import MAX_OPINION_CHARS


class OpinionsScreen(PassTheLaptopScreen):
    title = "Your opinion"
    step = "opinions"
    step_title = "Step 2: everyone writes their opinion"
    save_label = "Confirm (Ctrl+Enter)"

    def facilitator_actions(self) -> list[QPushButton]:
        fix = QPushButton("Correct a typo in an opinion…")
        on_press(fix.clicked, self.correct)
        return [fix]

    def pending(self) -> list[dict[str, Any]]:
        return self.ctx.session.pending(set(self.ctx.session.opinions()))

    def build_entry(self, person: dict[str, Any]) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(PrivateNote(f"{person['pseudonym']}, only you see this page."))
        layout.addWidget(body(self.ctx.session.question["text"], 1.6))
        layout.addWidget(
            body(
                "What do you think, and why? A few sentences are enough. Press Ctrl+Enter to save."
            )
        )
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        scale_font(edit, 1.4)
        edit.setPlaceholderText("Write your opinion here…")
        layout.addWidget(edit, 1)
        counter = body("")
        layout.addWidget(counter)

        def update_count() -> None:
            n = len(edit.toPlainText())
            over = n > MAX_OPINION_CHARS
            counter.setText(
                f"{n} characters"
                + (f" — only the first {MAX_OPINION_CHARS} will be used" if over else "")
            )

        edit.textChanged.connect(update_count)
        page.edit = edit  # type: ignore[attr-defined]
        page.first_focus = edit  # type: ignore[attr-defined]
        return page

    def save(self, person: dict[str, Any], seconds: float) -> None:
        self.ctx.session.record_opinion(person["id"], self.entry.edit.toPlainText())  # type: ignore[union-attr]

    def correct(self) -> None:
        """Facilitator page only, after the hand-back: fix a typo in someone's opinion."""
        flow = self.ctx.session
        if self.pending():
            return
        ops = flow.opinions()
        names = [p["pseudonym"] for p in flow.participants if p["id"] in ops]
        name = dialogs.choose(self, "Correct a typo", "Whose opinion?", names) if names else None
        if name is None:
            return
        pid = next(p["id"] for p in flow.participants if p["pseudonym"] == name)
        text = dialogs.ask_text(
            self, "Correct a typo", f"{name}'s opinion:", ops[pid], multiline=True
        )
        if text is not None and text.strip() and text != ops[pid]:
            flow.correct_opinion(pid, text)
            self.message.emit(f"{name}'s opinion was corrected (the original is kept).")
