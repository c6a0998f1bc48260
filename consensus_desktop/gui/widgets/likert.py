"""A 7-point scale: seven big buttons, keys 1–7 choose, labels from the paper's scale."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QLabel, QPushButton, QWidget

from consensus_desktop.gui.style import scale_font
from consensus_desktop.welfare.utilities import LIKERT_LABELS

QUALITY_LABELS = ("Very poor", "Poor", "Fair", "Adequate", "Good", "Very good", "Excellent")


class LikertScale(QWidget):
    changed = Signal(int)

    def __init__(self, labels: tuple[str, ...] = LIKERT_LABELS, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setObjectName("likert")  # the style sheet draws a frame while it has the focus
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        layout = QGridLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        for i, label in enumerate(labels, start=1):
            button = QPushButton(str(i))
            button.setCheckable(True)
            button.setMinimumHeight(48)
            scale_font(button, 1.4)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setToolTip(f"{label} (key {i})")
            self.group.addButton(button, i)
            layout.addWidget(button, 0, i - 1)
            text = QLabel(label)
            text.setWordWrap(True)
            text.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            scale_font(text, 1.15)
            layout.addWidget(text, 1, i - 1)
        self.group.idClicked.connect(self.changed)

    def value(self) -> int | None:
        v = self.group.checkedId()
        return v if v > 0 else None

    def set_value(self, value: int | None) -> None:
        if value is None:
            self.group.setExclusive(False)
            for b in self.group.buttons():
                b.setChecked(False)
            self.group.setExclusive(True)
        else:
            self.group.button(value).setChecked(True)
            self.changed.emit(value)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if text in {"1", "2", "3", "4", "5", "6", "7"}:
            self.set_value(int(text))
        else:
            super().keyPressEvent(event)
