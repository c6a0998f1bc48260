"""Drive the app's flow from the keyboard (shared by the GUI tests and the screenshot script)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

NAMES = ["Ann", "Ben", "Cai", "Dee"]
GENERATION_MS = 600_000  # the real model on a busy two-core machine
OPINIONS = [
    "Lower limits save lives, especially near schools and in towns.",
    "I drive for work and slower roads would cost me time and money.",
    "Enforcement matters more than the number on the sign.",
    "Only lower them where people live; motorways are fine.",
]


class FakeClock:
    """The input gate's clock in tests: time moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def use_fake_clock(win: QWidget) -> FakeClock:
    clock = FakeClock()
    win.gate.clock = clock  # type: ignore[attr-defined]
    return clock


def settle() -> None:
    """Wait as a person does before their first key on a new page: until the page's first moment
    (when the gate drops every key) has passed; a fake clock is moved on instead of waiting."""
    gate = getattr(QApplication.activeWindow(), "gate", None)
    left = gate.seconds_left() if gate is not None else 0.0
    if left <= 0:
        return
    if isinstance(gate.clock, FakeClock):  # type: ignore[union-attr]
        gate.clock.advance(left + 0.001)  # type: ignore[union-attr]
    else:
        QTest.qWait(int(left * 1000) + 20)


def show(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    """Show and activate, so keyboard focus works offscreen as on a desktop."""
    win.show()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5000)


def wait_until(check: Callable[[], bool], timeout_ms: int = 60_000) -> None:
    waited = 0
    while not check():
        QApplication.processEvents()
        QTest.qWait(20)
        waited += 20
        if waited > timeout_ms:
            raise TimeoutError("the app did not reach the expected state")


def error_dialogs() -> list[QWidget]:
    """The error boxes on screen (``dialogs.show_failure`` names them ``error_dialog``)."""
    return [
        w
        for w in QApplication.topLevelWidgets()
        if w.objectName() == "error_dialog" and w.isVisible()
    ]


def close_error_dialog(timeout_ms: int = 10_000) -> tuple[str, str]:
    """Wait for the one error box, read its title and sentence, close it with Enter (as the
    facilitator would) and wait until it is gone."""
    wait_until(lambda: error_dialogs() != [], timeout_ms)
    [box] = error_dialogs()
    title, text = box.windowTitle(), box.informativeText()  # type: ignore[attr-defined]
    assert box.text() == title  # type: ignore[attr-defined]  # the headline says it too
    QTest.keyClick(box, Qt.Key.Key_Return)
    wait_until(lambda: error_dialogs() == [], timeout_ms)
    wait_until(lambda: QApplication.activeWindow() is not None, timeout_ms)  # keys reach it again
    return title, text


def ctrl_enter(win: QWidget) -> None:
    settle()
    QTest.keyClick(
        QApplication.focusWidget() or win, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    QApplication.processEvents()


def enter(win: QWidget) -> None:
    settle()
    QTest.keyClick(QApplication.focusWidget() or win, Qt.Key.Key_Return)
    QApplication.processEvents()


def key_target(win: QWidget) -> QWidget:
    """Where a key goes: an open menu, else the focused widget, else the window."""
    return QApplication.activePopupWidget() or QApplication.focusWidget() or win


def raw_key(
    win: QWidget,
    k: Qt.Key,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    text: str = "",
    press: bool = True,
    repeat: bool = False,
) -> None:
    """One key press or release as the window system sends it (auto-repeat flag included), to
    the focused widget, shortcuts first; no waiting for the gate."""
    QTest.simulateEvent(key_target(win), press, int(k), modifiers, text, repeat)
    QApplication.processEvents()


def visible_text(win: QWidget) -> str:
    """Everything a person looking at the window can read (labels, buttons, text boxes, the
    status bar's message)."""
    parts = [win.windowTitle(), win.statusBar().currentMessage()]  # type: ignore[attr-defined]
    todo = [win]
    while todo:  # hidden widgets and everything under them are skipped
        for w in todo.pop().children():
            if not isinstance(w, QWidget) or not w.isVisible():
                continue
            todo.append(w)
            if isinstance(w, QLabel | QAbstractButton | QLineEdit):
                parts.append(w.text())
            elif isinstance(w, QPlainTextEdit):
                parts.append(w.toPlainText())
            parts.append(w.toolTip())
    return "\n".join(parts)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    if widget is None:
        raise AssertionError("no widget has keyboard focus")
    return widget


def type_text(text: str) -> None:
    """Type like a keyboard, punctuation and new lines included (QTest only knows plain keys)."""
    settle()
    widget = focused()
    for ch in text:
        if ch == "\n":
            QTest.keyClick(widget, Qt.Key.Key_Return)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def facilitator_keys(win: QWidget) -> None:
    """The facilitator's chord that leaves a hand-over or hand-back page (Ctrl+Shift+F)."""
    settle()
    QTest.keyClick(
        QApplication.focusWidget() or win,
        Qt.Key.Key_F,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    QApplication.processEvents()


def key(k: str) -> None:
    settle()
    QTest.keyClick(focused(), k)


def tab() -> None:
    settle()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)


def setup_session(
    win,
    question: str = "Should we lower the speed limit on roads?",
    snap=None,
    adjust: Callable[[QWidget], object] | None = None,
) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+N, the set-up typed in, ``adjust(setup_screen)`` for any settings, Ctrl+Enter."""
    QTest.keyClick(win, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    s = win.screens["setup"]
    assert win.current is s
    type_text("Table 1")  # session name has focus
    s.search.setFocus()
    type_text("speed limit")
    s.question.setFocus()
    type_text(question)
    s.statement.setFocus()
    type_text("We should lower the speed limit on roads.")
    s.people.setFocus()
    type_text("\n".join(NAMES))
    if adjust:
        adjust(s)
    if snap:
        snap("setup")
    ctrl_enter(win)
    assert win.current is win.screens["intro"]
    pass_round(win, lambda i: None, snap, "intro")  # everyone reads and agrees (Enter)


def pass_round(win, per_person: Callable[[int], None], snap=None, label: str = "") -> None:  # type: ignore[no-untyped-def]
    """Every pending participant in turn, then the hand-back and the facilitator's Continue."""
    screen = win.current
    i = 0
    while screen.stack.currentWidget() is screen.handoff:
        if snap and i == 0:
            snap(f"{label}-handoff")
        enter(win)
        per_person(i)
        if snap and i == 0:
            snap(f"{label}-entry")
        ctrl_enter(win)
        i += 1
    hand_back(win, snap, label)


def hand_back(win, snap=None, label: str = "") -> None:  # type: ignore[no-untyped-def]
    """The last participant hands the laptop back; the facilitator confirms and continues."""
    screen = win.current
    assert screen.stack.currentWidget() is screen.handback, screen.stack.currentWidget()
    if snap and label in ("rating", "opinions"):
        snap(f"{label}-handback")
    enter(win)  # Enter does not leave a hand-back page
    assert screen.stack.currentWidget() is screen.handback
    facilitator_keys(win)
    assert screen.stack.currentWidget() is screen.facilitator
    if snap and label in ("rating", "opinions", "intro"):
        snap(f"{label}-facilitator")
    ctrl_enter(win)


def rate_shortlist(i: int) -> None:
    # focus starts on the first agreement scale; Tab walks agreement, quality, rank per statement
    win = QApplication.activeWindow()
    screen = win.current
    for n, (_, agree, _quality, _rank) in enumerate(screen.entry.rows):
        agree.setFocus()
        key(str(7 - (i + n) % 5))
        tab()
        key(str(4 + n % 3))
        tab()
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up)  # rank spin box: 1, 2, …
        for _ in range(n):
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up)


def question_round(win, snap=None, baseline: Callable[[int], None] | None = None) -> None:  # type: ignore[no-untyped-def]
    """One question from the baseline step to the chosen statement (before any critique)."""
    if win.current is win.screens["intro"]:
        pass_round(win, lambda i: None)
    assert win.current is win.screens["baseline"]
    pass_round(win, baseline or (lambda i: key(str(2 + i))), snap, "baseline")
    assert win.current is win.screens["opinions"], win.current
    pass_round(win, lambda i: type_text(OPINIONS[i]), snap, "opinions")
    trade, gen = win.screens["tradeoffs"], win.screens["generation"]
    if snap:  # the generation screen with the first statements written
        wait_until(lambda: win.current is trade or gen.list.count() >= 2, GENERATION_MS)
        snap("generation")
    wait_until(lambda: win.current is trade, GENERATION_MS)
    if snap:
        snap("tradeoffs-predicted")
        click(trade.expert)
        snap("tradeoffs-expert")
        click(trade.expert)
    ctrl_enter(win)  # the room rates the shortlist
    assert win.current is win.screens["rating"]
    pass_round(win, rate_shortlist, snap, "rating")
    wait_until(lambda: win.current is win.screens["tradeoffs"], GENERATION_MS)
    if snap:
        snap("tradeoffs-rated")
    ctrl_enter(win)  # choose the top statement


def run_whole_session(win, snap=None, critique: bool = False, adjust=None) -> None:  # type: ignore[no-untyped-def]
    setup_session(win, snap=snap, adjust=adjust)
    question_round(win, snap)
    if critique:
        assert win.current is win.screens["critique"]
        pass_round(win, lambda i: type_text("Mention cyclists too."), snap, "critique")
        wait_until(lambda: win.current is win.screens["tradeoffs"], GENERATION_MS)
        ctrl_enter(win)
        pass_round(win, rate_shortlist)
        wait_until(lambda: win.current is win.screens["tradeoffs"], GENERATION_MS)
        ctrl_enter(win)
    wait_until(lambda: win.current is win.screens["results"])
    if snap:
        snap("results")
        QTest.keyClick(win, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        snap("results-list")
        QTest.keyClick(win, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)


def button(screen: QWidget, text: str) -> QAbstractButton:
    """The screen's button that reads ``text``."""
    [found] = [b for b in screen.findChildren(QAbstractButton) if b.text() == text]
    return found


def click(widget: QWidget) -> None:
    """A left click on ``widget`` (a button, say) as the mouse gives it."""
    settle()
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
    QApplication.processEvents()


def click_menu_entry(opener: QWidget, entry: str) -> None:
    """Click ``opener`` (a button with a menu), then the menu entry that reads ``entry``, as a
    person does with the mouse (the menu runs its own event loop, so the second click is queued)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMenu

    seen: list[str] = []

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(10, pick)
            return
        [action] = [a for a in menu.actions() if a.text() == entry]
        seen.append(entry)
        QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())

    QTimer.singleShot(0, pick)
    click(opener)
    assert seen == [entry], "the menu did not open"


def fill(widget, text: str) -> None:  # type: ignore[no-untyped-def]
    """Into ``widget`` as the facilitator does: focus it, select what is there, type over it."""
    widget.setFocus()
    settle()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(text)


def new_session(win):  # type: ignore[no-untyped-def]
    QTest.keyClick(win, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # Ctrl+N
    assert win.current is win.screens["setup"]
    return win.current


def click_row(view, row: int) -> None:  # type: ignore[no-untyped-def]
    """A click on the list's row ``row``, as the facilitator picks it."""
    item = view.item(row)
    view.scrollToItem(item)
    click_at(view.viewport(), view.visualItemRect(item).center())


def click_table_row(table, row: int) -> None:  # type: ignore[no-untyped-def]
    """A click on the table's row ``row`` (its last column, the statement), as the facilitator
    picks a statement."""
    item = table.item(row, table.columnCount() - 1)
    table.scrollToItem(item)
    click_at(table.viewport(), table.visualItemRect(item).center())


def click_at(widget: QWidget, pos) -> None:  # type: ignore[no-untyped-def]
    settle()
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)
    QApplication.processEvents()


def step_to(widget, value: int, down: Qt.Key = Qt.Key.Key_Down, up: Qt.Key = Qt.Key.Key_Up) -> None:  # type: ignore[no-untyped-def]
    """A spin box or slider moved to ``value`` with the arrow keys: all the way down, then up."""
    widget.setFocus()
    settle()
    for _ in range(widget.maximum() - widget.minimum()):
        QTest.keyClick(widget, down)
    for _ in range(value - widget.minimum()):
        QTest.keyClick(widget, up)
    assert widget.value() == value, (widget.value(), value)


def rate(scale: QWidget, value: int) -> None:
    """An agreement or quality scale answered with its number key."""
    scale.setFocus()
    settle()
    QTest.keyClick(scale, str(value))


def zoom_to(win: QWidget, level: float) -> None:
    """Ctrl+0, then Ctrl+= until the zoom is ``level`` (as the facilitator zooms)."""
    from consensus_desktop.gui import style

    QTest.keyClick(win, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    while style.zoom() < level:
        QTest.keyClick(win, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert style.zoom() == level, style.zoom()
    QApplication.processEvents()
