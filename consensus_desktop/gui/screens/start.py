"""Start: new session, recent sessions (resume where you left off), import a session file."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QListWidget, QListWidgetItem, QWidget

from consensus_desktop.errors import ConsensusError
from consensus_desktop.gui import dialogs
from consensus_desktop.gui.screens.base import Screen
from consensus_desktop.gui.style import body, hint
from consensus_desktop.rehearsal import create_rehearsal, pick_question
from consensus_desktop.store.database import SessionFileError
from consensus_desktop.store.transfer import import_session_file


class StartScreen(Screen):
    title = "Consensus Desktop"
    step = "start"
    open_session = Signal(int)

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.layout_.addWidget(
            body(
                "Help a group find a statement everyone can agree with. Start a new session, "
                "or pick up a recent one where you left off."
            )
        )
        self.model_note = QLabel("")
        self.model_note.setObjectName("warning")
        self.model_note.setWordWrap(True)
        self.model_note.setVisible(False)
        self.layout_.addWidget(self.model_note)
        self.layout_.addWidget(hint("Recent sessions (Enter opens the selected one):"))
        self.recent = QListWidget()
        self.recent.itemActivated.connect(self._open_item)
        self.layout_.addWidget(self.recent, 1)
        self.add_action("Rehearse with example opinions", self.rehearse)
        self.add_action("Import a session file…", self.import_file)
        self.add_action("Open selected", self._open_selected)
        self.add_action("New session (Ctrl+N)", lambda: self.done.emit("setup"), primary=True)
        self.finish_layout()

    def enter(self) -> None:
        self.recent.clear()
        for row in self.ctx.store.sessions():
            item = QListWidgetItem(
                f"{row.name}  —  step: {row.current_step or 'setup'}  ·  {row.updated_at[:16]}"
            )
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.recent.addItem(item)
        if self.recent.count():
            self.recent.setCurrentRow(0)
            self.recent.setFocus()

    def rehearse(self) -> None:
        """Practise on a library question with four labelled example participants."""
        flow = create_rehearsal(self.ctx.store, pick_question())
        self.open_session.emit(flow.session_id)

    def show_model_note(self, text: str) -> None:
        self.model_note.setText(text)
        self.model_note.setVisible(bool(text))

    def _open_item(self, item: QListWidgetItem) -> None:
        self.open_session.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    def _open_selected(self) -> None:
        item = self.recent.currentItem()
        if item is not None:
            self._open_item(item)

    def confirm(self) -> None:
        self._open_selected()

    def return_pressed(self) -> None:
        self._open_selected()

    def import_file(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self, "Import a session file", "", "Session files (*.sqlite *.db);;All files (*)"
            )
        if not path:
            return
        try:
            try:
                results = import_session_file(Path(path), self.ctx.store.db)
            except sqlite3.Error as exc:  # said like the importer's own refusals
                raise SessionFileError(f"{Path(path).name} could not be imported: {exc}.") from exc
        except ConsensusError as exc:
            dialogs.show_error(self, exc, "Could not import")
            return
        new = [r.name for r in results if not r.skipped]
        old = [r.name for r in results if r.skipped]
        self.message.emit(
            (f"Imported: {', '.join(new)}. " if new else "")
            + (f"Already in the library: {', '.join(old)}." if old else "")
        )
        self.enter()
