"""Every statement of a question: what the model predicted and how the room rated it."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from consensus_desktop.session.values import ResultRow

COLUMNS = [
    "Statement",
    "Predicted average",
    "Predicted lowest",
    "Room's average rating",
    "Rated by",
    "Wording",
]


def _num(x: float) -> str:
    return "–" if math.isnan(x) else f"{x:.1f}"


class ResultsTable(QTableWidget):
    def __init__(self) -> None:
        super().__init__(0, len(COLUMNS))
        self.setHorizontalHeaderLabels(COLUMNS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(True)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        for col in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Row heights follow the wording column's width (it wraps), also when first shown."""
        super().resizeEvent(event)
        self.resizeRowsToContents()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.resizeRowsToContents()

    def set_rows(self, rows: Sequence[ResultRow]) -> None:
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            note = [n for n in ("chosen" if row.chosen else "", row.note) if n]
            cells = [
                row.label,
                _num(row.predicted_mean),
                _num(row.predicted_min),
                _num(row.rated_mean),
                f"{row.n_rated}" if row.n_rated else "not rated",
                row.text + (f"  ({'; '.join(note)})" if note else ""),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col < len(COLUMNS) - 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if row.chosen:
                    font = QFont(self.font())
                    font.setBold(True)
                    item.setFont(font)
                self.setItem(r, col, item)
        self.resizeRowsToContents()
