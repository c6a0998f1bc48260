"""The projector window: the question, then the chosen statement in large type.

It only ever receives the question and a statement: no names, no private opinions.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class ProjectorWindow(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Consensus Desktop — projector")
        self.setStyleSheet("background: #10253f; color: white;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 40, 60, 40)
        self.question = QLabel("")
        self.question.setWordWrap(True)
        self.question.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.statement = QLabel("")
        self.statement.setWordWrap(True)
        self.statement.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        layout.addWidget(self.question)
        layout.addSpacing(30)
        layout.addWidget(self.statement)
        layout.addStretch(2)
        QShortcut(QKeySequence("F11"), self, self.toggle_full_screen)
        self.resize(1280, 720)
        self._fonts()

    def _fonts(self) -> None:
        base = self.font().pointSizeF()
        q = self.question.font()
        q.setPointSizeF(base * 2.0)
        self.question.setFont(q)
        s = self.statement.font()
        s.setPointSizeF(base * 3.0)
        s.setBold(True)
        self.statement.setFont(s)

    def show_question(self, question: str) -> None:
        self.question.setText(question)
        self.statement.setText("")

    def show_statement(self, question: str, statement: str) -> None:
        self.question.setText(question)
        self.statement.setText(f"“{statement}”")

    def place_on_second_screen(self) -> None:
        screens = QGuiApplication.screens()
        if len(screens) > 1:
            self.setGeometry(screens[1].geometry())
            self.showFullScreen()
        else:
            self.show()

    def toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.isFullScreen():
            self.showNormal()
        else:
            super().keyPressEvent(event)
