"""Participants x candidates heatmap of agreement (QPainter; red disagree, white neutral, green agree)."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from consensus_desktop.palette import agreement_rgb


def agreement_color(value: float) -> QColor:
    return QColor(*agreement_rgb(value))


class Heatmap(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values = np.zeros((0, 0))
        self.rated = np.zeros((0, 0), dtype=bool)
        self.rows: list[str] = []
        self.cols: list[str] = []
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(
        self, values: np.ndarray, rows: list[str], cols: list[str], rated: np.ndarray | None = None
    ) -> None:
        """values: participants x candidates (1–7); rated marks real ratings (drawn bold)."""
        self.values, self.rows, self.cols = values, rows, cols
        self.rated = rated if rated is not None else np.zeros(values.shape, dtype=bool)
        self._fit_rows()
        self.update()

    def _fit_rows(self) -> None:
        """Tall enough for a readable line per participant at the current font (the trade-off
        screen scrolls when they do not fit)."""
        line = self.fontMetrics().height()
        self.setMinimumHeight(max(160, int((len(self.rows) + 1) * line * 1.5) + 12))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # a zoom
            self._fit_rows()
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.values.size == 0:
            return
        p = QPainter(self)
        fm = p.fontMetrics()
        left = max(fm.horizontalAdvance(r) for r in self.rows) + 12
        top = fm.height() + 8
        n_r, n_c = self.values.shape
        cw = (self.width() - left - 4) / max(n_c, 1)
        ch = (self.height() - top - 4) / max(n_r, 1)
        for j, label in enumerate(self.cols):
            p.drawText(QRectF(left + j * cw, 0, cw, top), Qt.AlignmentFlag.AlignCenter, label)
        normal = p.font()
        for i, label in enumerate(self.rows):
            p.setFont(normal)  # a bold (rated) cell must not leak into the next row's label
            p.setPen(QColor(20, 20, 20))
            p.drawText(
                QRectF(0, top + i * ch, left - 6, ch),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            for j in range(n_c):
                v = float(self.values[i, j])
                rect = QRectF(left + j * cw + 1, top + i * ch + 1, cw - 2, ch - 2)
                p.fillRect(rect, agreement_color(v))
                font = QFont(normal)
                font.setBold(bool(self.rated[i, j]))
                p.setFont(font)
                text = f"{v:.1f}" if math.isfinite(v) else "–"
                p.setPen(QColor(20, 20, 20))
                p.drawText(
                    rect, Qt.AlignmentFlag.AlignCenter, text + ("*" if self.rated[i, j] else "")
                )
        p.end()
