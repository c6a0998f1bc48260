"""Random keys from every participant, hand-over and hand-back page of a four-person session.

A seeded walk through the welcome, position, opinion and rating steps. On every page it visits,
random key sequences are pressed as a room presses them: Enter, Return, Space, Esc, Tab, arrows,
digits, letters, F1-F12, Ctrl/Alt/Shift combinations, keys held (auto-repeat) or let go after
the page changed, 0-100 ms apart (a fake clock: no waiting). After every key event: the window
shows no other participant's name or opinion, no facilitator page, and nothing was recorded
unless that person confirmed it on their own page. Only the facilitator's own chord
(Ctrl+Shift+F) is left out of the draw; between sequences the walk moves on as the room would.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from drive import (
    NAMES,
    OPINIONS,
    ctrl_enter,
    enter,
    facilitator_keys,
    key,
    raw_key,
    tab,
    type_text,
    visible_text,
    wait_until,
)
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from consensus_desktop.gui import dialogs

SEED = 2025
SEQUENCES_PER_PAGE = 50  # before the walk moves on (random keys often move on first)
MIN_SEQUENCES = 500
K = Qt.Key
M = Qt.KeyboardModifier
KEYS: list[tuple[Qt.Key, str]] = [
    (K.Key_Return, "\r"),
    (K.Key_Enter, "\r"),
    (K.Key_Space, " "),
    (K.Key_Escape, "\x1b"),
    (K.Key_Tab, "\t"),
    (K.Key_Backtab, ""),
    (K.Key_Left, ""),
    (K.Key_Right, ""),
    (K.Key_Up, ""),
    (K.Key_Down, ""),
    (K.Key_PageDown, ""),
    (K.Key_Backspace, "\b"),
    *[(K(int(K.Key_0) + d), str(d)) for d in range(10)],
    *[(K(int(K.Key_F1) + f), "") for f in range(12)],
    *[(K(int(K.Key_A) + ord(c) - ord("a")), c) for c in "aefilmnopqsuvx"],
]
MODIFIERS = [M.NoModifier] * 6 + [
    M.ControlModifier,
    M.AltModifier,
    M.ShiftModifier,
    M.ControlModifier | M.AltModifier,
    M.ControlModifier | M.ShiftModifier,
]
CONFIRM_KEYS = {K.Key_Return, K.Key_Enter, K.Key_Space}
FACILITATOR_CHORD = (K.Key_F, M.ControlModifier | M.ShiftModifier)


def page_of(screen: Any) -> str:
    return {
        screen.handoff: "handoff",
        screen.handback: "handback",
        screen.facilitator: "facilitator",
    }.get(screen.stack.currentWidget(), "entry")


class Walk:
    """Presses random keys and checks the window after each one."""

    def __init__(self, win: Any, rng: random.Random) -> None:
        self.win = win
        self.rng = rng
        self.flow = win.ctx.session
        self.screen = win.current
        self.sequences: dict[str, int] = {}
        self.pages: set[tuple[str, str]] = set()  # (page, whose) that random keys reached
        self.events = 0

    # -- what is recorded and what is seen ----------------------------------------------------
    def entries(self) -> dict[str, Any]:
        f = self.flow
        return {
            "consents": f.consents(),
            "baselines": f.baselines(),
            "opinions": f.opinions(),
            "raters": f.raters(),
            "absent": f.absent_names(),
        }

    def check(self, before: dict[str, Any], pressed: tuple[Any, ...], at: tuple[Any, ...]) -> None:
        win, screen = self.win, self.screen
        assert win.isVisible() and QApplication.activeModalWidget() is None, pressed
        assert win.current is screen, f"left {screen.step} for {win.current.title}: {pressed}"
        page = page_of(screen)
        assert page != "facilitator", f"a facilitator page after {pressed}"
        person = screen.current["pseudonym"] if page != "handback" and screen.current else None
        seen = visible_text(win)
        for name in NAMES:
            if name != person:
                assert not re.search(rf"\b{name}\b", seen), f"{name} on {person}'s {page}"
        for pid, text in self.flow.opinions().items():
            if len(text) >= 15 and (person is None or self.flow.pseudonym(pid) != person):
                assert text not in seen, f"an opinion on {person}'s {page}"
        after = self.entries()
        if after != before:
            # confirmed: a fresh Enter, Return or Space (a focused button takes it with any
            # modifier) on the person's own page, once its first moment had passed
            k, _mods, _press, repeat = pressed
            was_page, was_open, who = at
            assert was_page == "entry" and was_open, f"recorded from a {was_page}: {pressed}"
            assert k in CONFIRM_KEYS and not repeat, pressed
            changed = {
                pid
                for part in ("consents", "baselines", "opinions")
                for pid in set(after[part].items()) ^ set(before[part].items())
            } | (after["raters"] ^ before["raters"])
            assert {p[0] if isinstance(p, tuple) else p for p in changed} <= {who}, changed

    def event(self, k: Qt.Key, mods: Qt.KeyboardModifier, text: str, press: bool, repeat: bool):  # type: ignore[no-untyped-def]
        before = self.entries()
        page = page_of(self.screen)
        who = self.screen.current["id"] if page == "entry" else None
        at = (page, self.win.gate.seconds_left() == 0, who)
        whose = self.screen.current["pseudonym"] if page != "handback" else ""
        self.pages.add((page, whose))
        raw_key(self.win, k, mods, "" if mods & ~M.ShiftModifier else text, press, repeat)
        self.events += 1
        self.check(before, (k, mods, press, repeat), at)

    # -- random sequences ---------------------------------------------------------------------
    def sequence(self) -> None:
        rng, clock = self.rng, self.win.gate.clock
        kind = page_of(self.screen)
        self.sequences[kind] = self.sequences.get(kind, 0) + 1
        for _ in range(rng.randint(1, 6)):
            k, text = rng.choice(KEYS)
            mods = rng.choice(MODIFIERS)
            if (k, mods) == FACILITATOR_CHORD:
                continue  # the facilitator's deliberate action, not a participant's
            clock.advance(rng.uniform(0.0, 0.1))
            how = rng.random()
            if how < 0.15:  # let go of a key pressed before this page appeared
                self.event(k, mods, text, press=False, repeat=False)
            elif how < 0.35:  # held: auto-repeat every 0-100 ms, then let go
                self.event(k, mods, text, press=True, repeat=False)
                for _ in range(rng.randint(1, 8)):
                    clock.advance(rng.uniform(0.0, 0.1))
                    self.event(k, mods, text, press=False, repeat=True)
                    self.event(k, mods, text, press=True, repeat=True)
                self.event(k, mods, text, press=False, repeat=False)
            else:
                self.event(k, mods, text, press=True, repeat=False)
                clock.advance(rng.uniform(0.0, 0.1))
                self.event(k, mods, text, press=False, repeat=False)

    # -- the room moves on --------------------------------------------------------------------
    def answer(self, i: int) -> None:
        """The person on their page answers and confirms (whatever the random keys left)."""
        entry, step = self.screen.entry, self.screen.step
        if step == "baseline":
            entry.scale.setFocus()
            key("4")
        elif step == "opinions":
            entry.edit.setFocus()
            QTest.keyClick(entry.edit, K.Key_A, M.ControlModifier)
            type_text(OPINIONS[i % len(OPINIONS)])
        elif step == "rating":
            for n, (_, agree, _quality, _rank) in enumerate(entry.rows):
                agree.setFocus()
                key(str(1 + (i + n) % 7))
                tab()
                key("5")
                tab()
                QTest.keyClick(QApplication.focusWidget(), K.Key_PageDown)  # rank: none
        ctrl_enter(self.win)

    def round(self) -> None:
        """The step's pages in turn, random sequences on each, until the facilitator has it."""
        people = 0
        while True:
            for _ in range(SEQUENCES_PER_PAGE):
                self.sequence()
            page = page_of(self.screen)
            if page == "handoff":
                enter(self.win)
            elif page == "entry":
                self.answer(people)
                people += 1
            elif page == "handback":
                facilitator_keys(self.win)
                assert page_of(self.screen) == "facilitator"
                self.bring_back()
                ctrl_enter(self.win)
                return

    def bring_back(self) -> None:
        """Whoever said no on the welcome page (a random Space on that button) is marked back
        in the room by the facilitator, so every step has four people."""
        for name in self.flow.absent_names():
            item = f"{name} — absent: mark back in the room"
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(dialogs, "choose", lambda *a, item=item, **k: item)
                QTest.mouseClick(self.screen.absent_button, Qt.MouseButton.LeftButton)
        assert self.flow.absent_names() == []


@pytest.fixture()
def no_dialogs(monkeypatch):  # type: ignore[no-untyped-def]
    for kind in ("confirm", "choose", "ask_text", "inform"):
        monkeypatch.setattr(dialogs, kind, lambda *a, **k: pytest.fail(f"a dialog: {a[1:]}"))


@pytest.mark.slow
def test_random_keys_never_show_another_participant_or_the_facilitator(window, no_dialogs) -> None:  # type: ignore[no-untyped-def]
    win = window
    rng = random.Random(SEED)
    QTest.keyClick(win, K.Key_N, M.ControlModifier)
    setup = win.screens["setup"]
    type_text("Table 1")
    setup.question.setFocus()
    type_text("Should we lower the speed limit on roads?")
    setup.people.setFocus()
    type_text("\n".join(NAMES))
    ctrl_enter(win)
    walks = []
    for step in ("intro", "baseline", "opinions", "rating"):
        if step == "rating":
            wait_until(lambda: win.current is win.screens["tradeoffs"])
            ctrl_enter(win)  # the room rates the shortlist
        assert win.current is win.screens[step], (step, win.current)
        walk = Walk(win, rng)
        walk.round()
        walks.append(walk)
    total = {k: sum(w.sequences.get(k, 0) for w in walks) for k in ("handoff", "entry", "handback")}
    assert sum(total.values()) >= MIN_SEQUENCES and all(total.values()), total
    for walk in walks:  # every participant's hand-over and own page, and the hand-back
        every_page = {(p, n) for p in ("handoff", "entry") for n in NAMES}
        assert walk.pages == every_page | {("handback", "")}, walk.screen.step
    assert win.current is win.screens["tradeoffs"] and win.ctx.session.raters()
