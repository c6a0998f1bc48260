"""Buttons and menu entries call their handler with no arguments.

Qt's ``clicked(bool)`` and ``triggered(bool)`` carry the checked flag, and PySide passes it to a
handler that has a parameter to take it: ``save_report(path=None)`` took ``False`` for the file
path. Every button and menu entry is connected through :func:`on_press` (a test checks the source),
so no handler ever sees an argument Qt added.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu


def on_press(signal: SignalInstance, handler: Callable[[], object]) -> None:
    """Connect ``clicked``/``triggered`` so that ``handler`` is called with nothing."""
    signal.connect(lambda *_args: handler())


def menu_entry(menu: QMenu, text: str, handler: Callable[[], object]) -> QAction:
    """A menu entry that calls ``handler`` with nothing."""
    action = menu.addAction(text)
    on_press(action.triggered, handler)
    return action
