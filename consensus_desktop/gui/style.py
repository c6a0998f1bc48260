"""A consistent look: headings, hints, text readable at a distance, and the remembered zoom.

Every size is relative: ``heading``/``body``/``scale_font`` record their scale on the widget, so a
zoom change (Ctrl+plus / Ctrl+minus, remembered in the config folder) resizes what is on screen
and everything built later.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from consensus_desktop import paths
from consensus_desktop.errors import StorageError
from consensus_desktop.safe_files import write_text

ZOOM_LEVELS = (0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5)
_state = {"zoom": 1.0, "base": 0.0}


def _base_size() -> float:
    if not _state["base"]:
        _state["base"] = QApplication.font().pointSizeF()
    return _state["base"]


def point_size(scale: float = 1.0) -> float:
    """The point size for ``scale`` at the current zoom."""
    return _base_size() * _state["zoom"] * scale


def scale_font(widget: QWidget, scale: float) -> None:
    widget.setProperty("font_scale", scale)
    font = widget.font()
    font.setPointSizeF(point_size(scale))
    widget.setFont(font)


def heading(text: str, scale: float = 1.6) -> QLabel:
    label = QLabel(text)
    scale_font(label, scale)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def body(text: str = "", scale: float = 1.15) -> QLabel:
    label = QLabel(text)
    scale_font(label, scale)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #4a4a4a;")
    return label


# -- zoom ---------------------------------------------------------------------------------------
def _settings_path() -> Path:
    return paths.config_dir() / "gui.json"


def zoom() -> float:
    return _state["zoom"]


def load_zoom() -> float:
    try:
        value = float(json.loads(_settings_path().read_text(encoding="utf-8"))["zoom"])
    except (OSError, ValueError, KeyError, TypeError):
        value = 1.0
    _state["zoom"] = min(ZOOM_LEVELS, key=lambda z: abs(z - value))
    return _state["zoom"]


def _save_zoom() -> None:
    path = _settings_path()
    paths.ensure_dir(path.parent)
    write_text(path, json.dumps({"zoom": _state["zoom"]}))


def apply_zoom(root: QWidget) -> None:
    """Resize ``root`` and every widget under it to the current zoom (the application's font for
    widgets of the ordinary size, the recorded scale for the others)."""
    font = QFont(QApplication.font())
    font.setPointSizeF(point_size())
    QApplication.setFont(font)  # for widgets built later
    # style sheets stop font propagation: every existing widget is resized explicitly
    for widget in [root, *root.findChildren(QWidget)]:
        scale = widget.property("font_scale")
        f = widget.font()
        f.setPointSizeF(point_size(1.0 if scale is None else float(scale)))
        widget.setFont(f)


def step_zoom(root: QWidget, direction: int) -> float:
    """direction +1 / -1 moves one level; 0 resets to 100%. Saved for the next start."""
    levels = list(ZOOM_LEVELS)
    i = levels.index(_state["zoom"]) if _state["zoom"] in levels else levels.index(1.0)
    i = levels.index(1.0) if direction == 0 else max(0, min(len(levels) - 1, i + direction))
    _state["zoom"] = levels[i]
    apply_zoom(root)
    with contextlib.suppress(OSError, StorageError):  # the zoom applies; it is not remembered
        _save_zoom()
    return _state["zoom"]


STYLESHEET = """
QPushButton { padding: 6px 14px; }
QPushButton:checked { background: #2f6fb3; color: white; font-weight: bold; }
QPushButton#primary { background: #2f6fb3; color: white; font-weight: bold; }
QPushButton#primary:disabled { background: #9db7d6; }
QPushButton:focus { border: 2px solid #e08a00; }
QLabel#error { color: #a11; font-weight: bold; padding: 4px; }
QLabel#warning { color: #8a4b00; background: #fff1d6; font-weight: bold; padding: 6px; }
QLabel#private { background: #fff4d6; border: 1px solid #e0c060; padding: 6px; }
QWidget#likert { border: 3px solid transparent; border-radius: 6px; }
QWidget#likert:focus { border: 3px solid #e08a00; background: #fff7e6; }
"""
