"""Critique round: each participant says what the chosen statement misses; the model revises."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from consensus_desktop.gui.screens.consent import PrivateNote
from consensus_desktop.gui.screens.pass_laptop import PassTheLaptopScreen
from consensus_desktop.gui.style import body, heading


class CritiqueScreen(PassTheLaptopScreen):
    title = "Critique the statement"
    step = "critique"
    step_title = "Critique round: what would you change?"
    save_label = "Confirm (Ctrl+Enter)"

    def _selected(self) -> dict[str, Any]:
        sel = self.ctx.session.selection()
        assert sel is not None
        return sel

    def pending(self) -> list[dict[str, Any]]:
        done = set(self.ctx.session.critiques_for(self._selected()["candidate_id"]))
        return self.ctx.session.pending(done)

    def build_entry(self, person: dict[str, Any]) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(PrivateNote(f"{person['pseudonym']}, only you see this page."))
        layout.addWidget(heading(f"“{self._selected()['text']}”", 1.3))
        layout.addWidget(
            body(
                "What would you change so that you could agree more? "
                "Leave it empty if nothing. Ctrl+Enter saves."
            )
        )
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        layout.addWidget(edit, 1)
        page.edit = edit  # type: ignore[attr-defined]
        page.first_focus = edit  # type: ignore[attr-defined]
        return page

    def save(self, person: dict[str, Any], seconds: float) -> None:
        text = self.entry.edit.toPlainText().strip()  # type: ignore[union-attr]
        self.ctx.session.record_critique(person["id"], self._selected()["candidate_id"], text)
