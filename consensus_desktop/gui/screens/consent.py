"""The welcome page one participant reads privately before taking part: what the session is,
what the program does and what is stored (the facilitator's text), and a way to say no.

Shown on the welcome step to everyone, and to a participant who joined late before their first
entry, whatever the step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from consensus_desktop.gui.signals import on_press
from consensus_desktop.gui.style import body, scale_font
from consensus_desktop.session.facilitation import Facilitation

AGREE_LABEL = "I agree to take part (Enter)"


class PrivateNote(QLabel):
    """The banner on a participant's page: whose page it is, and that it is private."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.setObjectName("private")
        self.setWordWrap(True)
        scale_font(self, 1.2)


def consent_page(
    flow: Facilitation, person: dict[str, Any], decline: Callable[[], object]
) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.addWidget(PrivateNote(f"{person['pseudonym']}, please read this first."))
    layout.addWidget(body(flow.intro_text, 1.35))
    layout.addStretch(1)
    no = QPushButton("I do not want to take part")
    scale_font(no, 1.1)
    on_press(no.clicked, decline)
    layout.addWidget(no, 0, Qt.AlignmentFlag.AlignLeft)
    return page
