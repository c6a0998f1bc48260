"""The few modal questions the facilitator is asked, and how errors reach them, in one place
(tests replace the questions).

Participants never see one of these: they are opened from facilitator pages only. An error is
shown by :func:`show_error` / :func:`show_failure`: a title for its kind and its one sentence,
never a traceback; a bug (any other exception) gets a general sentence and the log's place, and
its traceback goes to the log.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLabel, QMessageBox, QPlainTextEdit, QWidget

from consensus_desktop import paths
from consensus_desktop.errors import (
    ConsensusError,
    InputError,
    ModelFileError,
    ServerError,
    StorageError,
)

log = logging.getLogger(__name__)

ERROR_TITLES: tuple[tuple[type[ConsensusError], str], ...] = (
    (InputError, "Input problem"),
    (ModelFileError, "Model file problem"),
    (StorageError, "Could not save"),
    (ServerError, "Model server problem"),
)
UNEXPECTED_TITLE = "Something went wrong"


@dataclass(frozen=True)
class Failure:
    """What the facilitator is told: a title and one sentence. Plain data, so a worker hands it to
    the GUI thread without the exception (and the frames its traceback holds)."""

    title: str
    text: str


def describe(exc: BaseException) -> Failure:
    """The title for the error's kind and its own sentence; for a bug, a general sentence that
    says where the log is (the traceback is written there, on whichever thread calls this)."""
    for kind, title in ERROR_TITLES:
        if isinstance(exc, kind):
            return Failure(title, str(exc))
    if isinstance(exc, ConsensusError):
        return Failure("Problem", str(exc))
    log.error("Unexpected error shown to the facilitator", exc_info=exc)
    where = (
        f"The details are in the log: {paths.log_file()}"
        if paths.log_file().exists()
        else "Start the app with --verbose to see the details."
    )
    return Failure(
        UNEXPECTED_TITLE,
        f"Something unexpected went wrong ({type(exc).__name__}); nothing already saved was "
        f"lost, and you can carry on.\n{where}",
    )


def show_failure(parent: QWidget, failure: Failure) -> QMessageBox:
    """A warning box in front of ``parent``'s window: the title as its headline too (some window
    systems show no title on a message box) and the sentence below. Window-modal but not blocking
    (``open``, not ``exec``): the event loop and the model's thread keep running; Enter or Esc
    closes it."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        failure.title,
        failure.title,
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(failure.text)
    box.setStyleSheet(  # a readable line length; the headline stands out
        "QLabel#qt_msgbox_label { font-weight: bold; }"
        "QLabel#qt_msgbox_informativelabel { min-width: 30em; }"
    )
    box.setObjectName("error_dialog")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.finished.connect(parent.window().activateWindow)  # the keyboard goes back to the window
    box.open()
    return box


def show_error(parent: QWidget, exc: BaseException, title: str = "") -> QMessageBox:
    """Show ``exc`` (see :func:`describe`); ``title`` replaces the kind's title where the caller
    knows better (a storage error while *reading* a file is not "Could not save")."""
    failure = describe(exc)
    if title and isinstance(exc, ConsensusError):
        failure = replace(failure, title=title)
    return show_failure(parent, failure)


def error_hook(window: QWidget) -> Callable[[type[BaseException], BaseException, Any], None]:
    """For ``sys.excepthook``: an exception no slot caught (Qt hands those to the hook) reaches
    the facilitator as a dialog in front of ``window``, its traceback goes to the log, and the app
    carries on. KeyboardInterrupt and SystemExit keep Python's own handling."""

    def hook(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
        if not isinstance(exc, Exception):
            sys.__excepthook__(kind, exc, tb)
            return
        show_error(window, exc)

    return hook


def confirm(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


def inform(parent: QWidget, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def choose(parent: QWidget, title: str, label: str, items: Sequence[str]) -> str | None:
    item, ok = QInputDialog.getItem(parent, title, label, list(items), 0, False)
    return str(item) if ok else None


def ask_text(
    parent: QWidget, title: str, label: str, text: str = "", multiline: bool = False
) -> str | None:
    if multiline:
        return _ask_long_text(parent, title, label, text)
    else:
        value, ok = QInputDialog.getText(parent, title, label, text=text)
    return str(value) if ok else None


def _ask_long_text(parent: QWidget, title: str, label: str, text: str) -> str | None:
    """A text box wide enough to read a whole opinion or statement (about 80 characters a line,
    wrapped), with the label wrapped above it."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
    dialog.setTextValue(text)
    for child in dialog.findChildren(QLabel):
        child.setWordWrap(True)
    for edit in dialog.findChildren(QPlainTextEdit):  # QInputDialog's own is one long line
        edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    metrics = dialog.fontMetrics()
    width = metrics.averageCharWidth() * 80
    width = min(width, int(parent.window().width() * 0.9) or width)
    dialog.resize(max(width, dialog.sizeHint().width()), metrics.lineSpacing() * 16)
    ok = dialog.exec() == QInputDialog.DialogCode.Accepted
    return dialog.textValue() if ok else None
