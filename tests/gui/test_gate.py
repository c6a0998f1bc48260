"""The gate between hands, pressed as a room presses keys: double Enters, held keys, keys that
belong to the facilitator, on hand-over, hand-back and participant pages (fake clock: no sleeps).
"""

from __future__ import annotations

import pytest
from drive import (
    NAMES,
    OPINIONS,
    click,
    ctrl_enter,
    enter,
    facilitator_keys,
    key,
    pass_round,
    raw_key,
    setup_session,
    type_text,
    visible_text,
)
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from consensus_desktop.gui import dialogs
from consensus_desktop.gui.gate import GATE_SECONDS

RETURN, ENTER = Qt.Key.Key_Return, Qt.Key.Key_Enter
CTRL, NONE = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.NoModifier


def tap(win, k: Qt.Key, modifiers: Qt.KeyboardModifier = NONE, text: str = "") -> None:  # type: ignore[no-untyped-def]
    raw_key(win, k, modifiers, text)
    raw_key(win, k, modifiers, text, press=False)


def hold(win, k: Qt.Key, seconds: float, text: str = "") -> None:  # type: ignore[no-untyped-def]
    """A held key: auto-repeat every 30 ms until it is let go (no first press: it began on the
    page before)."""
    for _ in range(round(seconds / 0.03)):
        win.gate.clock.advance(0.03)
        raw_key(win, k, NONE, text, press=False, repeat=True)
        raw_key(win, k, NONE, text, repeat=True)
    raw_key(win, k, NONE, text, press=False)


def page(screen):  # type: ignore[no-untyped-def]
    return {
        screen.handoff: "handoff",
        screen.handback: "handback",
        screen.facilitator: "facilitator",
    }.get(screen.stack.currentWidget(), "entry")


def opinions_until_dee(win) -> None:  # type: ignore[no-untyped-def]
    setup_session(win)
    pass_round(win, lambda i: key("4"))
    for i in range(3):
        enter(win)
        type_text(OPINIONS[i])
        ctrl_enter(win)
    enter(win)
    type_text(OPINIONS[3])


def test_ctrl_enter_then_enter_150_ms_later_stays_on_the_hand_back(window) -> None:  # type: ignore[no-untyped-def]
    win = window
    opinions_until_dee(win)
    screen = win.screens["opinions"]
    tap(win, RETURN, CTRL)  # Dee confirms
    assert page(screen) == "handback" and len(win.ctx.session.opinions()) == 4
    win.gate.clock.advance(0.15)
    tap(win, RETURN, text="\r")
    assert page(screen) == "handback"
    for k, mods, text in ((RETURN, NONE, "\r"), (ENTER, NONE, "\r"), (RETURN, CTRL, "")):
        win.gate.clock.advance(2.0)  # long after: Enter still does not leave the page
        tap(win, k, mods, text)
        tap(win, Qt.Key.Key_Space, NONE, " ")
        assert page(screen) == "handback"
    seen = visible_text(win)
    assert "Correct a typo" not in seen and not any(o in seen for o in OPINIONS)
    assert "Ctrl+Shift+F" in seen  # the page says how the facilitator leaves it
    facilitator_keys(win)
    assert page(screen) == "facilitator" and screen.extra_buttons[0].isEnabled()


def test_two_enters_on_the_rating_hand_back_never_show_ratings(window) -> None:  # type: ignore[no-untyped-def]
    from drive import rate_shortlist, wait_until

    win = window
    setup_session(win)
    pass_round(win, lambda i: key("4"))
    pass_round(win, lambda i: type_text(OPINIONS[i]))
    wait_until(lambda: win.current is win.screens["tradeoffs"])
    ctrl_enter(win)
    rating = win.screens["rating"]
    for i in range(len(NAMES)):
        enter(win)
        rate_shortlist(i)
        if i < len(NAMES) - 1:
            ctrl_enter(win)
    tap(win, RETURN, text="\r")  # the last rater confirms with Enter ...
    win.gate.clock.advance(0.08)
    tap(win, RETURN, text="\r")  # ... and again, 80 ms later
    win.gate.clock.advance(1.0)
    tap(win, RETURN, text="\r")
    tap(win, RETURN, CTRL)
    assert win.current is rating and page(rating) == "handback"
    assert not any(n in visible_text(win) for n in NAMES)


def test_a_double_enter_never_skips_a_hand_over(window) -> None:  # type: ignore[no-untyped-def]
    win = window
    setup_session(win)
    baseline = win.screens["baseline"]
    enter(win)
    key("5")
    tap(win, RETURN, text="\r")  # Ann confirms
    assert page(baseline) == "handoff" and "Ben" in baseline.handoff_title.text()
    for gap in (0.0, 0.08, 0.3):
        win.gate.clock.advance(gap)
        tap(win, RETURN, text="\r")
        raw_key(win, Qt.Key.Key_Space, NONE, " ")
        raw_key(win, Qt.Key.Key_Space, NONE, " ", press=False)
        assert page(baseline) == "handoff", gap
    # Ann's Enter, held: auto-repeat for two seconds opens nothing either
    hold(win, RETURN, 2.0, "\r")
    hold(win, Qt.Key.Key_Space, 1.0, " ")
    assert page(baseline) == "handoff" and len(win.ctx.session.baselines()) == 1
    # a fresh press by Ben, once the page has been there a moment, opens his page
    tap(win, RETURN, text="\r")
    assert page(baseline) == "entry" and "Ben, your answer is private." in visible_text(win)


def test_the_enter_that_opens_a_page_never_confirms_it(window) -> None:  # type: ignore[no-untyped-def]
    win = window
    QTest.keyClick(win, Qt.Key.Key_N, CTRL)
    setup = win.screens["setup"]
    type_text("Table 1")
    setup.question.setFocus()
    type_text("Should we plant more trees?")
    setup.people.setFocus()
    type_text("\n".join(NAMES))
    ctrl_enter(win)
    intro = win.screens["intro"]
    win.gate.clock.advance(GATE_SECONDS)
    tap(win, RETURN, text="\r")  # Ann opens her welcome page ...
    assert page(intro) == "entry"
    win.gate.clock.advance(0.05)
    tap(win, RETURN, text="\r")  # ... and the bounce 50 ms later does not agree for her
    assert win.ctx.session.consents() == {} and page(intro) == "entry"
    win.gate.clock.advance(GATE_SECONDS)
    tap(win, RETURN, text="\r")  # she has read it: now Enter agrees
    assert list(win.ctx.session.consents().values()) == [True]


def test_a_click_in_the_first_moment_is_ignored(window) -> None:  # type: ignore[no-untyped-def]
    win = window
    setup_session(win)
    pass_round(win, lambda i: key("4"))
    for i in range(len(NAMES)):
        enter(win)
        type_text(OPINIONS[i])
        ctrl_enter(win)
    screen = win.screens["opinions"]
    button = screen.facilitator_button
    assert button.isVisible() and button.focusPolicy() == Qt.FocusPolicy.NoFocus
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, NONE, QPoint(5, 5))
    assert page(screen) == "handback"
    win.gate.clock.advance(GATE_SECONDS)
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, NONE, QPoint(5, 5))
    assert page(screen) == "facilitator"


@pytest.mark.parametrize(
    "keys",
    [
        (Qt.Key.Key_F2, NONE),
        (Qt.Key.Key_N, CTRL),
        (Qt.Key.Key_Home, CTRL),
        (Qt.Key.Key_O, CTRL),
        (Qt.Key.Key_Q, CTRL),
        (Qt.Key.Key_P, CTRL | Qt.KeyboardModifier.ShiftModifier),
        (Qt.Key.Key_E, CTRL),
        (Qt.Key.Key_L, CTRL),
        (Qt.Key.Key_F5, NONE),
        (Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier),
    ],
    ids=lambda k: str(k),
)
def test_facilitator_keys_do_nothing_on_private_pages(window, monkeypatch, keys) -> None:  # type: ignore[no-untyped-def]
    win = window
    for kind in ("confirm", "choose", "ask_text", "inform"):
        monkeypatch.setattr(dialogs, kind, lambda *a, **k: pytest.fail(f"a dialog: {a[1:]}"))
    setup_session(win)
    baseline = win.screens["baseline"]
    k, mods = keys
    for step in range(3):  # the hand-over page, Ann's page, the hand-over page again
        win.gate.clock.advance(1.0)
        QTest.keyClick(QApplication.focusWidget() or win, k, mods)
        assert win.isVisible() and win.current is baseline, step
        assert page(baseline) == ("entry" if step == 1 else "handoff")
        assert QApplication.activePopupWidget() is None and QApplication.activeModalWidget() is None
        assert not any(a.isEnabled() for a in win.facilitator_only)
        if step == 0:
            enter(win)
        elif step == 1:
            key("3")
            ctrl_enter(win)
    facilitator_keys(win)  # on the facilitator's page the menus are back
    assert page(baseline) == "facilitator" and all(a.isEnabled() for a in win.facilitator_only)


def test_no_facilitator_message_on_private_pages(window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    win = window
    setup_session(win)
    opinions = win.screens["opinions"]
    pass_round(win, lambda i: key("4"))
    facilitator_keys(win)
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "Eve")
    click(opinions.late_button)
    assert "Eve joins the session" in win.statusBar().currentMessage()
    ctrl_enter(win)  # back to the hand-over page for Ann
    assert page(opinions) == "handoff" and win.statusBar().currentMessage() == ""
    opinions.message.emit("Chloe's ratings were removed")  # a note while a participant holds it
    assert win.statusBar().currentMessage() == ""
