"""Step 2: each participant privately writes their opinion; the facilitator may fix typos."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QInputDialog, QPlainTextEdit, QVBoxLayout, QWidget

from consensus_desktop.gui.screens.pass_laptop import PassTheLaptopScreen, PrivateNote
from consensus_desktop.gui.style import body
from consensus_desktop.prompts import MAX_OPINION_CHARS


class OpinionsScreen(PassTheLaptopScreen):
    title = "Your opinion"
    next_step = "generation"

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        fix = self.add_action("Correct a typo…", self.correct)
        self.action_row.insertWidget(1, fix)

    def pending(self) -> list[dict[str, Any]]:
        return self.ctx.session.pending(set(self.ctx.session.opinions()))

    def build_entry(self, person: dict[str, Any]) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(PrivateNote(f"{person['pseudonym']}, only you see this page."))
        layout.addWidget(body(self.ctx.session.question["text"], 1.4))
        layout.addWidget(
            body(
                "What do you think, and why? A few sentences are enough. Press Ctrl+Enter to save."
            )
        )
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
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
        flow = self.ctx.session
        ops = flow.opinions()
        names = [p["pseudonym"] for p in flow.participants if p["id"] in ops]
        if not names:
            return
        name, ok = QInputDialog.getItem(self, "Correct a typo", "Whose opinion?", names, 0, False)
        if not ok:
            return
        pid = next(p["id"] for p in flow.participants if p["pseudonym"] == name)
        text, ok = QInputDialog.getMultiLineText(
            self, "Correct a typo", f"{name}'s opinion:", ops[pid]
        )
        if ok and text.strip() and text != ops[pid]:
            flow.correct_opinion(pid, text)
