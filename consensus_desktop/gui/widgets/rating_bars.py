"""How many participants gave each rating 1–7, as bars (QPainter); no names."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from consensus_desktop.gui.widgets.heatmap import agreement_color


class RatingBars(QWidget):
    """How many participants gave each rating 1–7 (QPainter bars)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts = [0] * 7
        self.text_color = QColor(40, 40, 40)
        self.setMinimumHeight(150)
        self.setMaximumHeight(280)

    def set_counts(self, counts: list[int]) -> None:
        self.counts = counts
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        fm = p.fontMetrics()
        w, h = self.width(), self.height() - fm.height() - 6
        top = max(max(self.counts), 1)
        bw = w / 7
        for i, c in enumerate(self.counts):
            bh = (h - fm.height()) * c / top
            rect = QRectF(i * bw + 6, h - bh, bw - 12, bh)
            p.fillRect(rect, agreement_color(i + 1))
            p.setPen(self.text_color)
            p.drawRect(rect)
            p.drawText(
                QRectF(i * bw, h - bh - fm.height(), bw, fm.height()),
                Qt.AlignmentFlag.AlignCenter,
                str(c),
            )
            p.drawText(
                QRectF(i * bw, h + 4, bw, fm.height()), Qt.AlignmentFlag.AlignCenter, str(i + 1)
            )
        p.end()
