"""The projector window: the question and where the room is, then the chosen statement in large
type with the room's rating bars.

It only ever receives the question, a step title, counts and a statement: no names, no opinions.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from consensus_desktop.gui.widgets.rating_bars import RatingBars


class ProjectorWindow(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Consensus Desktop — projector")
        self.setStyleSheet("background: #10253f; color: white;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 40, 60, 40)
        self.question = QLabel("")
        self.step = QLabel("")
        self.statement = QLabel("")
        for label in (self.question, self.step, self.statement):
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bars = RatingBars()
        self.bars.text_color = QColor("white")
        self.bars.setVisible(False)
        layout.addStretch(1)
        layout.addWidget(self.question)
        layout.addSpacing(30)
        layout.addWidget(self.statement)
        layout.addSpacing(20)
        layout.addWidget(self.step)
        layout.addWidget(self.bars)
        layout.addStretch(2)
        QShortcut(QKeySequence("F11"), self, self.toggle_full_screen)
        self.resize(1280, 720)
        self._fonts()

    def _fonts(self) -> None:
        base = self.font().pointSizeF()
        for label, scale, bold in (
            (self.question, 2.0, False),
            (self.step, 2.0, False),
            (self.statement, 3.0, True),
        ):
            f = label.font()
            f.setPointSizeF(base * scale)
            f.setBold(bold)
            label.setFont(f)
        f = self.bars.font()
        f.setPointSizeF(base * 1.6)
        self.bars.setFont(f)

    def show_question(self, question: str) -> None:
        self.question.setText(question)
        self.statement.setText("")
        self.step.setText("")
        self.bars.setVisible(False)

    def show_progress(self, question: str, step: str, done: int = 0, total: int = 0) -> None:
        """While the laptop goes round: the step and how many are done (no names)."""
        self.question.setText(question)
        self.statement.setText("")
        self.step.setText(f"{step}\n{done} of {total} done" if total else step)
        self.bars.setVisible(False)

    def show_statement(
        self, question: str, statement: str, counts: list[int] | None = None
    ) -> None:
        """The chosen statement; with ``counts`` (ratings 1–7) the room's rating bars below."""
        self.question.setText(question)
        self.statement.setText(f"“{statement}”")
        self.step.setText(
            "How the room rated it (1 strongly disagree … 7 strongly agree):" if counts else ""
        )
        self.bars.setVisible(bool(counts))
        if counts:
            self.bars.set_counts(counts)

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
