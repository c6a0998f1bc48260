"""Pass-the-laptop: one participant at a time, a hand-over page between people.

Subclasses say who is still to go (``pending``), build the private entry page for one person and
save it. Nothing one person entered is visible to the next: each entry page is built fresh.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from consensus_desktop.gui.screens.base import Screen
from consensus_desktop.gui.style import body, heading, hint


class PassTheLaptopScreen(Screen):
    next_step = ""
    handoff_hint = "Only {name} should see the next page."

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.stack = QStackedWidget()
        self.layout_.addWidget(self.stack, 1)
        self.handoff = QWidget()
        hl = QVBoxLayout(self.handoff)
        hl.addStretch(1)
        self.handoff_title = heading("", 2.2)
        self.handoff_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hl.addWidget(self.handoff_title)
        self.handoff_text = body("", 1.2)
        self.handoff_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hl.addWidget(self.handoff_text)
        hl.addStretch(2)
        self.stack.addWidget(self.handoff)
        self.entry: QWidget | None = None
        self.current: dict[str, Any] | None = None
        self.started = 0.0
        self.progress = hint("")
        self.action_row.insertWidget(0, self.progress)
        self.ready_button = self.add_action("I am ready (Enter)", self.start_entry, primary=True)
        self.save_button = self.add_action("Confirm (Ctrl+Enter)", self.save_entry, primary=True)
        self.finish_layout()

    # -- to implement -------------------------------------------------------------------------
    def pending(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def build_entry(self, person: dict[str, Any]) -> QWidget:
        raise NotImplementedError

    def save(self, person: dict[str, Any], seconds: float) -> None:
        raise NotImplementedError

    # -- flow ---------------------------------------------------------------------------------
    def enter(self) -> None:
        self.show_handoff()

    def show_handoff(self) -> None:
        people = self.pending()
        total = len(self.ctx.session.participants)
        if not people:
            self.done.emit(self.next_step)
            return
        self.current = people[0]
        name = self.current["pseudonym"]
        self.handoff_title.setText(f"Please hand the laptop to {name}")
        hint_text = self.handoff_hint.format(name=name)
        self.handoff_text.setText(f"{name}: press Enter when you are ready. {hint_text}")
        self.progress.setText(f"{total - len(people)} of {total} done")
        self.stack.setCurrentWidget(self.handoff)
        self.ready_button.setVisible(True)
        self.ready_button.setFocus()
        self.save_button.setVisible(False)
        if self.entry is not None:
            self.stack.removeWidget(self.entry)
            self.entry.deleteLater()
            self.entry = None

    def start_entry(self) -> None:
        if self.current is None:
            return
        self.entry = self.build_entry(self.current)
        self.stack.addWidget(self.entry)
        self.stack.setCurrentWidget(self.entry)
        self.ready_button.setVisible(False)
        self.save_button.setVisible(True)
        self.started = time.monotonic()
        self.entry.setFocus()
        focus = getattr(self.entry, "first_focus", None)
        if focus is not None:
            focus.setFocus()

    def save_entry(self) -> None:
        if self.current is None or self.stack.currentWidget() is self.handoff:
            return
        try:
            self.save(self.current, time.monotonic() - self.started)
        except ValueError as exc:
            self.show_error(f"Not saved yet: {exc}")
            return
        self.show_error("")
        self.show_handoff()

    def confirm(self) -> None:
        if self.stack.currentWidget() is self.handoff:
            self.start_entry()
        else:
            self.save_entry()


class PrivateNote(QLabel):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.setObjectName("private")
        self.setWordWrap(True)
