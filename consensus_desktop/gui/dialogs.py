"""The few modal questions the facilitator is asked, in one place (tests replace these functions).

Participants never see one of these: they are opened from facilitator pages only.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget


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
        value, ok = QInputDialog.getMultiLineText(parent, title, label, text)
    else:
        value, ok = QInputDialog.getText(parent, title, label, text=text)
    return str(value) if ok else None
