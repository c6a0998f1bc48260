"""Setup: the question (typed or from the library), participants, and settings."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from consensus_desktop.gui.screens.base import Screen
from consensus_desktop.gui.signals import on_press
from consensus_desktop.gui.style import hint
from consensus_desktop.question_library import ATTRIBUTION, search
from consensus_desktop.session.facilitation import Facilitation
from consensus_desktop.session.steps import then
from consensus_desktop.session.values import DEFAULT_INTRO, Settings

ALPHA_CHOICES = [
    ("Utilitarian — mean agreement (α = 0)", 0.0),
    ("Nash — geometric mean (α = 1)", 1.0),
    ("Fairer (α = 3)", 3.0),
    ("Rawlsian — the worst-off person (α = ∞)", math.inf),
]


class SetupScreen(Screen):
    title = "New session"
    step = "setup"

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        grid = QGridLayout()
        self.layout_.addLayout(grid, 1)

        left = QGroupBox("Question")
        form = QFormLayout(left)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # labels above at a zoom
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Town hall, table 1")
        form.addRow("Session name", self.name)
        self.question = QLineEdit()
        self.question.setPlaceholderText("Should we lower the speed limit on roads?")
        form.addRow("Question", self.question)
        self.statement = QLineEdit()
        self.statement.setPlaceholderText("We should lower the speed limit on roads.")
        form.addRow("Position statement", self.statement)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search the question library…")
        self.search.textChanged.connect(self._search)
        form.addRow("Library", self.search)
        self.results = QListWidget()
        self.results.itemActivated.connect(self._pick)
        self.results.itemClicked.connect(self._pick)
        form.addRow(self.results)
        form.addRow(hint(ATTRIBUTION))
        add = QPushButton("Add another question (Ctrl+Shift+A)")
        add.setShortcut("Ctrl+Shift+A")
        on_press(add.clicked, self.add_question)
        form.addRow(add)
        self.queue = QListWidget()
        self.queue.setMaximumHeight(90)
        form.addRow("Session questions", self.queue)
        grid.addWidget(left, 0, 0, 2, 1)

        people = QGroupBox("Participants (3 to 12, pseudonyms, one per line)")
        pl = QVBoxLayout(people)
        self.people = QPlainTextEdit()
        self.people.setTabChangesFocus(True)
        self.people.setPlaceholderText("Ann\nBen\nCai\nDee")
        pl.addWidget(self.people)
        grid.addWidget(people, 0, 1)

        settings = QGroupBox("Settings")
        sf = QFormLayout(settings)
        sf.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.n = QSpinBox()
        self.n.setRange(2, 32)
        self.n.setValue(8)
        sf.addRow("Candidate statements", self.n)
        self.alpha = QComboBox()
        for label, value in ALPHA_CHOICES:
            self.alpha.addItem(label, value)
        self.alpha.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.alpha.setMinimumContentsLength(16)  # long choices elide instead of widening
        sf.addRow("Default ranking", self.alpha)
        self.k = QSpinBox()
        self.k.setRange(1, 6)
        self.k.setValue(4)
        sf.addRow("Shortlist the room rates", self.k)
        self.critique = QCheckBox("Critique round after rating")
        sf.addRow(self.critique)
        self.intro = QPlainTextEdit(DEFAULT_INTRO)
        self.intro.setTabChangesFocus(True)
        self.intro.setToolTip(
            "What each participant reads first, and agrees to. Kept with the session."
        )
        sf.addRow("What participants read first", self.intro)
        grid.addWidget(settings, 1, 1)

        self.add_action("Back", lambda: self.done.emit("start"))
        self.add_action("Start session (Ctrl+Enter)", self.confirm, primary=True)
        self.finish_layout()

    def enter(self) -> None:
        self.name.setFocus()

    def _search(self, text: str) -> None:
        self.results.clear()
        if len(text.strip()) < 2:
            return
        for q in search(text, 100):
            item = QListWidgetItem(q.question)
            item.setData(Qt.ItemDataRole.UserRole, q)
            self.results.addItem(item)

    def _pick(self, item: QListWidgetItem) -> None:
        q = item.data(Qt.ItemDataRole.UserRole)
        self.question.setText(q.question)
        self.statement.setText(q.affirming_statement)
        self.question.setProperty("library_id", q.id)

    def add_question(self) -> None:
        """Queue the question in the fields; the room takes the questions in this order."""
        question = self.question.text().strip()
        if not question:
            self.show_error("Type or pick a question first.")
            return
        statement = self.statement.text().strip() or question
        item = QListWidgetItem(question)
        item.setData(
            Qt.ItemDataRole.UserRole,
            (question, statement, self.question.property("library_id") or ""),
        )
        self.queue.addItem(item)
        self.question.clear()
        self.statement.clear()
        self.question.setProperty("library_id", "")
        self.show_error("")
        self.question.setFocus()

    def questions(self) -> list[tuple[str, str, str]]:
        queued = [
            self.queue.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.queue.count())
        ]
        question = self.question.text().strip()
        if question and question not in {q for q, _, _ in queued}:
            statement = self.statement.text().strip() or question
            queued.append((question, statement, self.question.property("library_id") or ""))
        return queued

    def settings(self) -> Settings:
        return Settings(
            n_candidates=self.n.value(),
            alpha=float(self.alpha.currentData()),
            shortlist_k=self.k.value(),
            critique_round=self.critique.isChecked(),
            intro=self.intro.toPlainText().strip(),
        )

    def confirm(self) -> None:
        questions = self.questions()
        first = questions[0][0] if questions else ""
        name = self.name.text().strip() or first[:40] or "Session"
        people = self.people.toPlainText().splitlines()
        try:
            flow = Facilitation.create(self.ctx.store, name, questions, people, self.settings())
        except ValueError as exc:
            self.show_error(f"Not ready yet: {exc}")
            return
        self.show_error("")
        self.ctx.flow = flow
        self.done.emit(then(self.step))
