"""Who is in the room and where the session is: creating it, settings, absences, late arrivals, consent, the next question."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Self

from consensus_desktop.session.results import SessionResults
from consensus_desktop.session.steps import step, then
from consensus_desktop.session.values import (
    MAX_PARTICIPANTS,
    MIN_PARTICIPANTS,
    Settings,
)
from consensus_desktop.store.session_store import SessionStore


class Roster(SessionResults):
    @classmethod
    def create(
        cls,
        store: SessionStore,
        name: str,
        questions: Sequence[tuple[str, str, str]],
        pseudonyms: Sequence[str],
        settings: Settings,
    ) -> Self:
        """``questions``: (question, position statement, library id) triples."""
        names = [" ".join(p.split()) for p in pseudonyms if p.strip()]
        if not MIN_PARTICIPANTS <= len(names) <= MAX_PARTICIPANTS:
            raise ValueError(
                f"A session needs {MIN_PARTICIPANTS} to {MAX_PARTICIPANTS} participants "
                f"(got {len(names)})."
            )
        if len({n.casefold() for n in names}) != len(names):
            raise ValueError("Two participants have the same pseudonym.")
        if not questions or not any(q.strip() for q, _, _ in questions):
            raise ValueError("Add at least one question.")
        sid = store.create_session(name, settings.to_json())
        for text, statement, library_id in questions:
            if text.strip():
                store.add_question(sid, text, statement, library_id)
        for n in names:
            store.add_participant(sid, n)
        flow = cls(store, sid)
        flow.go_to(then("setup"))
        return flow

    def go_to(self, name: str) -> None:
        self.store.set_step(self.session_id, step(name).name)

    def update_settings(self, settings: Settings) -> None:
        self.store.set_settings(self.session_id, settings.to_json())
        self.store.log_event(self.session_id, "settings", settings.to_json())

    def mark_absent(self, pid: int, absent: bool = True) -> None:
        s = self.settings
        ids = [i for i in s.absent if i != pid] + ([pid] if absent else [])
        if absent and len(self.participants) - len(ids) < 2:
            raise ValueError("At least two participants must stay present.")
        s.absent = ids
        self.store.set_settings(self.session_id, s.to_json())
        self.store.log_event(
            self.session_id,
            "participant_absent" if absent else "participant_present",
            {"participant_id": pid, "step": self.step},
        )

    def add_late_participant(self, pseudonym: str) -> int:
        if len(self.participants) >= MAX_PARTICIPANTS:
            raise ValueError(f"A session has at most {MAX_PARTICIPANTS} participants.")
        pid = self.store.add_participant(self.session_id, pseudonym)
        self.store.log_event(
            self.session_id, "participant_added_late", {"participant_id": pid, "step": self.step}
        )
        return pid

    def next_question(self) -> None:
        """Move the room on to the session's next question (from the baseline step)."""
        if not self.has_next_question():
            raise ValueError("This was the session's last question.")
        s = self.settings
        s.question_index += 1
        self.update_settings(s)
        self.go_to("baseline")

    def record_consent(self, pid: int, agreed: bool) -> None:
        """A participant read the introduction and agreed (or did not: then they are absent)."""
        if not agreed:
            self.mark_absent(pid)
        self.store.log_event(
            self.session_id,
            "consent",
            {
                "participant_id": pid,
                "agreed": agreed,
                "intro_sha256": hashlib.sha256(self.intro_text.encode()).hexdigest(),
            },
        )
