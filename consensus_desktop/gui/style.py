"""Small helpers for a consistent look: headings, hints, readable text at projector size."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def heading(text: str, scale: float = 1.6) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def body(text: str = "", scale: float = 1.15) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #4a4a4a;")
    return label


def scale_font(widget: QWidget, scale: float) -> None:
    font = widget.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    widget.setFont(font)


STYLESHEET = """
QPushButton { padding: 6px 14px; }
QPushButton:checked { background: #2f6fb3; color: white; font-weight: bold; }
QPushButton#primary { background: #2f6fb3; color: white; font-weight: bold; }
QPushButton#primary:disabled { background: #9db7d6; }
QLabel#error { color: #a11; font-weight: bold; padding: 4px; }
QLabel#private { background: #fff4d6; border: 1px solid #e0c060; padding: 6px; }
"""
