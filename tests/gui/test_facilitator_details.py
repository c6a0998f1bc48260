"""Small things a facilitator trips on: the typo dialog's width, the slider after an edit, zoom
back to 100%."""

from __future__ import annotations

from drive import (
    OPINIONS,
    ctrl_enter,
    enter,
    facilitator_keys,
    key,
    pass_round,
    setup_session,
    type_text,
    wait_until,
)
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QPlainTextEdit

from consensus_desktop.gui import dialogs

LONG = (
    "Lower limits save lives, especially near schools and in towns, and the evidence from the "
    "cities that tried it is clear: fewer people hurt and hardly any time lost for drivers."
)


def test_the_typo_dialog_shows_a_whole_opinion_wrapped(window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    win = window
    setup_session(win)
    pass_round(win, lambda i: key("4"))
    for i in range(4):
        enter(win)
        type_text(LONG if i == 0 else OPINIONS[i])
        ctrl_enter(win)
    facilitator_keys(win)
    monkeypatch.setattr(dialogs, "choose", lambda *a, **k: "Ann")
    seen: dict[str, object] = {}

    def look_and_fix() -> None:
        box = QApplication.activeModalWidget()
        edit = box.findChild(QPlainTextEdit)
        QApplication.processEvents()  # laid out as on screen
        seen["width"] = box.width()
        seen["chars"] = box.fontMetrics().averageCharWidth()
        seen["wraps"] = all(lab.wordWrap() for lab in box.findChildren(QLabel))
        seen["lines"] = edit.document().firstBlock().layout().lineCount()
        QTest.keyClick(edit, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClick(edit, Qt.Key.Key_Backspace)
        type_text("!")
        buttons = box.findChild(QDialogButtonBox)
        QTest.mouseClick(
            buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )

    QTimer.singleShot(0, look_and_fix)
    QTest.mouseClick(win.screens["opinions"].extra_buttons[0], Qt.MouseButton.LeftButton)
    assert seen["width"] >= 70 * seen["chars"], seen  # type: ignore[operator]
    assert seen["wraps"] and 1 < seen["lines"] <= 4, seen  # type: ignore[operator]
    flow = win.ctx.session
    assert flow.opinions()[flow.participants[0]["id"]] == LONG[:-1] + "!"


def test_editing_a_statement_keeps_the_slider_where_it_was(window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    win = window
    setup_session(win)
    pass_round(win, lambda i: key("4"))
    pass_round(win, lambda i: type_text(OPINIONS[i]))
    wait_until(lambda: win.current is win.screens["tradeoffs"])
    trade = win.screens["tradeoffs"]
    QTest.keyClick(trade.slider, Qt.Key.Key_R)
    assert trade.slider.value() == 20
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "We agree on safer roads for all.")
    QTest.mouseClick(trade.edit_button, Qt.MouseButton.LeftButton)
    assert any(c.text == "We agree on safer roads for all." for c in trade.scores.candidates)
    assert trade.slider.value() == 20 and "least served" in trade.alpha_text.text()


def test_ctrl_0_brings_every_widget_and_table_row_back_to_100(window) -> None:  # type: ignore[no-untyped-def]
    win = window
    setup_session(win)
    pass_round(win, lambda i: key("4"))
    pass_round(win, lambda i: type_text(OPINIONS[i]))
    wait_until(lambda: win.current is win.screens["tradeoffs"])
    ctrl_enter(win)
    from drive import rate_shortlist

    pass_round(win, rate_shortlist)
    trade = win.screens["tradeoffs"]
    assert win.current is trade

    def sizes() -> list[float]:
        fonts = [w.font().pointSizeF() for w in win.findChildren(QLabel)]
        table = trade.table
        for r in range(table.rowCount()):
            for c in range(table.columnCount()):
                item = table.item(r, c)
                font = item.font().resolve(table.font())
                fonts.append(font.pointSizeF())
        return fonts

    before = sizes()
    for _ in range(4):
        QTest.keyClick(win, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert sizes() != before
    QTest.keyClick(trade.slider, Qt.Key.Key_Right)  # the table is redrawn at 200%
    QTest.keyClick(trade.slider, Qt.Key.Key_Left)
    QTest.keyClick(win, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert sizes() == before
