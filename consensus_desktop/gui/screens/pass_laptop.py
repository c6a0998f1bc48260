"""Pass-the-laptop: one participant at a time, a hand-over page between people.

Subclasses say who is still to go (``pending``), build the private entry page for one person and
save it. Nothing one person entered is visible to the next: each entry page is built fresh, and no
participant page offers a way to another person's words.

After the last participant comes a hand-back page ("please hand the laptop back to the
facilitator"); only a deliberate facilitator action opens the facilitator page: the chord
Ctrl+Shift+F or a mouse click on "I am the facilitator" (a button the keyboard cannot reach, so
Enter and Space never press it). That page has the corrections (undo the last entry, mark someone
absent, add a late participant, and the step's own corrections). Reached in the middle of a round
(the same chord on a hand-over page) it offers nothing that shows what someone wrote.

The main window's input gate (``gui/gate.py``) drops the keys still in flight when a page appears,
so a double or held Enter never skips a hand-over.

A participant added late reads the welcome page and agrees (or not) before their first entry.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from consensus_desktop.gui import dialogs
from consensus_desktop.gui.gate import ENTRY, FACILITATOR, TURN_END
from consensus_desktop.gui.screens.base import Screen
from consensus_desktop.gui.screens.consent import AGREE_LABEL, consent_page
from consensus_desktop.gui.signals import on_press
from consensus_desktop.gui.style import body, heading, hint, scale_font
from consensus_desktop.session.steps import then
from consensus_desktop.session.values import UNDOABLE


def _centered_page(*labels: QLabel) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.addStretch(1)
    for label in labels:
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(label)
    layout.addStretch(2)
    return page


FACILITATOR_KEYS = "Ctrl+Shift+F"  # leaves a hand-over or hand-back page for the facilitator's


class PassTheLaptopScreen(Screen):
    step_title = ""  # for the projector: what the room is doing
    handoff_hint = "Only {name} should see the next page."
    save_label = "Confirm (Enter)"

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.stack = QStackedWidget()
        self.layout_.addWidget(self.stack, 1)
        self.handoff_title = heading("", 2.2)
        self.handoff_text = body("", 1.3)
        self.handoff = _centered_page(self.handoff_title, self.handoff_text)
        self.stack.addWidget(self.handoff)
        self.handback = _centered_page(
            heading("Thank you. Please hand the laptop back to the facilitator.", 2.2),
            body(
                f"Facilitator: when you have the laptop, press {FACILITATOR_KEYS} or click "
                "“I am the facilitator”.",
                1.3,
            ),
        )
        self.stack.addWidget(self.handback)
        self.facilitator = self._facilitator_page()
        self.stack.addWidget(self.facilitator)
        self.entry: QWidget | None = None
        self.current: dict[str, Any] | None = None
        self.started = 0.0
        self.progress = hint("")
        self.action_row.insertWidget(0, self.progress)
        self.options_button = self.add_action(
            f"Facilitator options ({FACILITATOR_KEYS})", self.show_facilitator
        )
        self.ready_button = self.add_action("I am ready (Enter)", self.start_entry, primary=True)
        self.save_button = self.add_action(self.save_label, self.save_entry, primary=True)
        self.facilitator_button = self.add_action(
            f"I am the facilitator ({FACILITATOR_KEYS})", self.show_facilitator, primary=True
        )
        self.continue_button = self.add_action("Continue (Ctrl+Enter)", self.proceed, primary=True)
        for b in (self.options_button, self.facilitator_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a click or the chord; never Enter or Space
            b.setDefault(False)
            b.setAutoDefault(False)
        for b in (self.save_button, self.facilitator_button, self.continue_button):
            b.setVisible(False)  # shown with their page (and not counted in the minimum width)
        QShortcut(QKeySequence(FACILITATOR_KEYS), self, self.show_facilitator)
        self.finish_layout()

    # -- to implement -------------------------------------------------------------------------
    def pending(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def build_entry(self, person: dict[str, Any]) -> QWidget:
        raise NotImplementedError

    def save(self, person: dict[str, Any], seconds: float) -> None:
        raise NotImplementedError

    def facilitator_actions(self) -> list[QPushButton]:
        """Extra corrections for this step (shown only once everyone present has answered)."""
        return []

    # -- pages --------------------------------------------------------------------------------
    def _show(self, page: QWidget) -> None:
        """Switch page; the buttons shown are the ones that belong to it."""
        if self.entry is not None and page is not self.entry:
            self.stack.removeWidget(self.entry)
            self.entry.deleteLater()
            self.entry = None
        self.stack.setCurrentWidget(page)
        self.title_label.setText("Facilitator" if page is self.facilitator else self.title)
        self.options_button.setVisible(page is self.handoff)
        self.ready_button.setVisible(page is self.handoff)
        self.save_button.setVisible(page is not None and page is self.entry)
        consent = page is self.entry and bool(page.property("consent"))
        self.save_button.setText(AGREE_LABEL if consent else self.save_label)
        self.facilitator_button.setVisible(page is self.handback)
        self.continue_button.setVisible(page is self.facilitator)
        self.show_error("")
        kind = ENTRY if page is self.entry else TURN_END
        self.page_shown.emit(FACILITATOR if page is self.facilitator else kind)

    def _facilitator_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.fac_title = heading("", 1.3)
        layout.addWidget(self.fac_title)
        self.fac_status = body("", 1.15)
        layout.addWidget(self.fac_status)
        self.undo_button = QPushButton("Undo the last entry…")
        on_press(self.undo_button.clicked, self.undo_last)
        self.absent_button = QPushButton("Mark someone absent or back…")
        on_press(self.absent_button.clicked, self.toggle_absent)
        self.late_button = QPushButton("Add a late participant…")
        on_press(self.late_button.clicked, self.add_late)
        self.extra_buttons = self.facilitator_actions()
        for b in (self.undo_button, self.absent_button, self.late_button, *self.extra_buttons):
            scale_font(b, 1.15)
            layout.addWidget(b, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        return page

    # -- flow ---------------------------------------------------------------------------------
    def enter(self) -> None:
        self.show_handoff()

    def _progress(self) -> tuple[int, int]:
        """(done, present), also said beside the buttons (after an absence or a late arrival
        too)."""
        present = len(self.ctx.session.present)
        done = present - len(self.pending())
        self.progress.setText(f"{done} of {present} done")
        return done, present

    def show_handoff(self) -> None:
        flow = self.ctx.session
        people = self.pending()
        done, total = self._progress()
        self.ctx.projector.show_progress(flow.question["text"], self.step_title, done, total)
        if not people:
            self._show(self.handback)
            self.handback.setFocus()  # no button: Enter and Space do nothing here
            return
        self.current = people[0]
        name = self.current["pseudonym"]
        self.handoff_title.setText(f"Please hand the laptop to {name}")
        hint_text = self.handoff_hint.format(name=name)
        self.handoff_text.setText(f"{name}: press Enter when you are ready. {hint_text}")
        self._show(self.handoff)
        self.ready_button.setFocus()

    def start_entry(self) -> None:
        if self.current is None or self.stack.currentWidget() is not self.handoff:
            return
        self._open_entry(self.current)

    def _needs_consent(self, person: dict[str, Any]) -> bool:
        return self.step != "intro" and self.ctx.session.needs_consent(person["id"])

    def _open_entry(self, person: dict[str, Any]) -> None:
        """The person's private page (first the welcome page if they joined late)."""
        if self._needs_consent(person):
            entry = consent_page(self.ctx.session, person, self.decline)
            entry.setProperty("consent", True)
            entry.first_focus = self.save_button  # type: ignore[attr-defined]
        else:
            entry = self.build_entry(person)
        self.stack.addWidget(entry)
        self.entry = entry
        self._show(entry)
        self.started = time.monotonic()
        entry.setFocus()
        focus = getattr(entry, "first_focus", None)
        if focus is not None:
            focus.setFocus()

    def save_entry(self) -> None:
        if (
            self.current is None
            or self.entry is None
            or self.stack.currentWidget() is not self.entry
        ):
            return
        if self.entry.property("consent"):  # a late participant agreed: now their entry
            self.ctx.session.record_consent(self.current["id"], True)
            self._open_entry(self.current)
            return
        try:
            self.save(self.current, time.monotonic() - self.started)
        except ValueError as exc:
            self.show_error(f"Not saved yet: {exc}")
            return
        self.show_handoff()

    def decline(self) -> None:
        """The person on the welcome page does not want to take part (they become absent)."""
        if self.current is None or self.stack.currentWidget() is not self.entry:
            return
        try:
            self.ctx.session.record_consent(self.current["id"], False)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.show_handoff()

    def show_facilitator(self) -> None:
        """The facilitator page: after the hand-back, or from a hand-over page (the chord or a
        click, never Enter)."""
        if self.stack.currentWidget() not in (self.handoff, self.handback):
            return
        self._show(self.facilitator)
        self.refresh_facilitator()
        self.continue_button.setFocus()

    def refresh_facilitator(self) -> None:
        flow = self.ctx.session
        pending = self.pending()
        complete = not pending
        done, total = self._progress()
        self.fac_title.setText(self.step_title)
        lines = [f"{done} of {total} present have answered."]
        if pending:
            lines.append(
                "Still to answer: "
                + ", ".join(p["pseudonym"] for p in pending)
                + ". Corrections that show what someone wrote open once everyone has answered."
            )
        absent = flow.absent_names()
        if absent:
            lines.append(
                f"Absent: {', '.join(absent)}. Nobody waits for them, and the statements are "
                "scored for the people present only."
            )
        self.fac_status.setText("\n".join(lines))
        last = flow.last_entry(self.step)
        self.undo_button.setVisible(self.step in UNDOABLE)
        self.undo_button.setEnabled(last is not None)
        self.undo_button.setText(
            f"Undo the last {UNDOABLE.get(self.step)} ({flow.pseudonym(last)})…"
            if last is not None
            else f"Undo the last {UNDOABLE.get(self.step)} (none yet)"
        )
        for b in self.extra_buttons:
            b.setEnabled(complete)
        self.continue_button.setText(
            "Continue (Ctrl+Enter)" if complete else "Back to the hand-over (Ctrl+Enter)"
        )

    def proceed(self) -> None:
        if self.stack.currentWidget() is not self.facilitator:
            return
        if self.pending():
            self.show_handoff()
        else:
            self.done.emit(then(self.step))

    # -- facilitator corrections --------------------------------------------------------------
    def undo_last(self) -> None:
        flow = self.ctx.session
        pid = flow.last_entry(self.step)
        if pid is None:
            return
        name = flow.pseudonym(pid)
        what = UNDOABLE[self.step]
        if dialogs.confirm(
            self, "Undo", f"Remove {name}'s {what}? {name} will be asked again on this step."
        ):
            flow.undo_last(self.step)
            were = "were" if what.endswith("s") else "was"
            self.message.emit(f"{name}'s {what} {were} removed (kept in the session's log).")
        self.refresh_facilitator()

    def toggle_absent(self) -> None:
        flow = self.ctx.session
        absent = set(flow.absent_names())
        items = [
            f"{p['pseudonym']} — {'absent: mark back in the room' if p['pseudonym'] in absent else 'present: mark absent'}"
            for p in flow.participants
        ]
        picked = dialogs.choose(self, "Who is in the room?", "Participant:", items)
        if picked is None:
            return
        name = picked.split(" — ")[0]
        pid = next(p["id"] for p in flow.participants if p["pseudonym"] == name)
        try:
            flow.mark_absent(pid, name not in absent)
        except ValueError as exc:
            self.show_error(str(exc))
        self.refresh_facilitator()

    def add_late(self) -> None:
        name = dialogs.ask_text(self, "A late participant", "Pseudonym:")
        if not name or not name.strip():
            return
        try:
            self.ctx.session.add_late_participant(name)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.message.emit(f"{name.strip()} joins the session; they are asked from this step on.")
        self.refresh_facilitator()

    # -- keys ---------------------------------------------------------------------------------
    def return_pressed(self) -> None:
        page = self.stack.currentWidget()
        if page is self.handoff:
            self.start_entry()
        elif page is self.entry:
            self.save_entry()

    def confirm(self) -> None:
        page = self.stack.currentWidget()
        if page is self.facilitator:
            self.proceed()
        else:
            self.return_pressed()
