"""Common shape of a screen: a title, a body, and a row of actions; ``done`` moves the flow on."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from consensus_desktop.gui.context import AppContext
from consensus_desktop.gui.signals import on_press
from consensus_desktop.gui.style import heading
from consensus_desktop.gui.widgets.flow_row import FlowRow


class Screen(QWidget):
    done = Signal(str)  # the step to show next
    message = Signal(str)  # a passing note for the status bar
    page_shown = Signal(str)  # the kind of page now showing (see gui/gate.py)

    title = ""
    step = ""  # the session step it shows (consensus_desktop/session/steps.py), or "start"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(24, 16, 24, 16)
        self.title_label = heading(self.title)
        self.layout_.addWidget(self.title_label)
        self.action_row = FlowRow()  # wraps at a large zoom instead of widening the window

    def finish_layout(self) -> None:
        self.error_label = QLabel("")
        self.error_label.setObjectName("error")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        self.layout_.addWidget(self.error_label)
        self.layout_.addLayout(self.action_row)

    def show_error(self, text: str) -> None:
        """Say what is wrong on the screen itself (no modal box in front of the room)."""
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def add_action(
        self, text: str, slot: Callable[[], object], primary: bool = False
    ) -> QPushButton:
        button = QPushButton(text)
        if primary:
            button.setObjectName("primary")
            button.setDefault(True)
        on_press(button.clicked, slot)
        self.action_row.addWidget(button)
        return button

    def enter(self) -> None:
        """Called each time the screen is shown (also when a session is resumed here)."""

    def confirm(self) -> None:
        """Ctrl+Enter: the screen's main action."""

    def return_pressed(self) -> None:
        """Plain Enter when no button or list has the focus: confirm if the page is complete."""

    def leave(self) -> bool:
        """Called before the window closes or the screen changes; False keeps it open."""
        return True
