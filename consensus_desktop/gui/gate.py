"""The gate between hands: input already in flight when a turn ends is dropped.

Pages come in three kinds. On a facilitator page every key counts. A page that ends one person's
turn (the hand-over and the hand-back pages, ``TURN_END``) drops key auto-repeat, a key release
whose press it did not see (the press began before the page appeared), and every key and mouse
press in its first :data:`GATE_SECONDS`; so one participant's double or held Enter never opens
the next participant's page, nor the facilitator's. A participant's page (``ENTRY``) drops its
first moment too (the bounce of the Enter that opened it never confirms it) and a held Enter,
but keeps auto-repeat for typing.

The gate is an event filter on the application, owned by the main window, which says which kind
of page shows (:meth:`InputGate.show_page`). The clock is injectable; the app uses
``time.monotonic``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

GATE_SECONDS = 0.6
FACILITATOR, TURN_END, ENTRY = "facilitator", "turn_end", "entry"
PRIVATE_PAGES = (TURN_END, ENTRY)

_KEYS = {QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride}
_MOUSE_PRESSES = {QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick}
_CONFIRM_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter}


class InputGate(QObject):
    def __init__(self, window: QWidget, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(window)
        self.window = window
        self.clock = clock
        self.page = FACILITATOR
        self.shown_at = 0.0
        self.pressed: set[int] = set()  # keys pressed (and let through) on this page
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    def show_page(self, kind: str) -> None:
        """A page of ``kind`` has just appeared: its first moment starts now."""
        self.page = kind
        self.shown_at = self.clock()
        self.pressed.clear()

    def seconds_left(self) -> float:
        """How long the current page still ignores input (0 on a facilitator page)."""
        if self.page == FACILITATOR:
            return 0.0
        return max(0.0, GATE_SECONDS - (self.clock() - self.shown_at))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if self.page == FACILITATOR or (kind not in _KEYS and kind not in _MOUSE_PRESSES):
            return False
        if QApplication.activeWindow() is not self.window:
            return False
        if kind in _MOUSE_PRESSES:
            return self.seconds_left() > 0
        assert isinstance(event, QKeyEvent)
        drop = self._drop(event)
        if drop and kind == QEvent.Type.ShortcutOverride:
            event.accept()  # an accepted override: no shortcut fires for this key
        return drop

    def _drop(self, event: QKeyEvent) -> bool:
        key = event.key()
        if event.type() == QEvent.Type.KeyRelease:
            if event.isAutoRepeat() and self.page == TURN_END:
                return True
            if key not in self.pressed:
                return True  # its press began before this page (or was dropped)
            if not event.isAutoRepeat():
                self.pressed.discard(key)
            return False
        if self.seconds_left() > 0:
            return True
        if event.isAutoRepeat() and (self.page == TURN_END or key in _CONFIRM_KEYS):
            return True
        if event.type() == QEvent.Type.KeyPress:
            self.pressed.add(key)
        return False
