"""Which candidate wins on each stretch of alpha, from utilitarian (left) to Rawlsian (right)."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from consensus_desktop.palette import CANDIDATE_COLORS
from consensus_desktop.welfare.tradeoff import Stretch, t_from_alpha

PALETTE = [QColor(c) for c in CANDIDATE_COLORS]


class WinnerStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stretches: tuple[Stretch, ...] = ()
        self.labels: dict[int, str] = {}
        self.alpha = 0.0
        self.setMinimumHeight(56)

    def set_data(
        self, stretches: tuple[Stretch, ...], labels: dict[int, str], alpha: float
    ) -> None:
        self.stretches, self.labels, self.alpha = stretches, labels, alpha
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        w, h = self.width(), self.height()
        bar = QRectF(0, 0, w, h * 0.6)
        for s in self.stretches:
            x0 = t_from_alpha(s.alpha_from) * w
            x1 = t_from_alpha(s.alpha_to) * w
            rect = QRectF(x0, bar.top(), max(x1 - x0, 1), bar.height())
            p.fillRect(rect, PALETTE[s.winner % len(PALETTE)])
            p.setPen(QColor("white"))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.labels.get(s.winner, str(s.winner)))
        p.setPen(QPen(QColor("black"), 3))
        x = t_from_alpha(self.alpha) * w
        p.drawLine(int(x), 0, int(x), int(bar.height()))
        p.setPen(QColor(60, 60, 60))
        for alpha, label in (
            (0.0, "on average (U)"),
            (1.0, "balanced (N)"),
            (math.inf, "least served (R)"),
        ):
            x = t_from_alpha(alpha) * w
            align = (
                Qt.AlignmentFlag.AlignLeft
                if alpha == 0
                else Qt.AlignmentFlag.AlignRight
                if math.isinf(alpha)
                else Qt.AlignmentFlag.AlignHCenter
            )
            rect = QRectF(
                x - (0 if alpha == 0 else w / 4 if not math.isinf(alpha) else w / 2),
                bar.bottom(),
                w / 2,
                h - bar.height(),
            )
            p.drawText(rect, align | Qt.AlignmentFlag.AlignVCenter, label)
        p.end()
