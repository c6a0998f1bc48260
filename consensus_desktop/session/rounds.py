"""Rounds of generation: the run to ask for, regeneration, recording a run, rewording a statement."""

from __future__ import annotations

from dataclasses import replace

from consensus_desktop.pipeline import RunResult
from consensus_desktop.run_request import RunRequest
from consensus_desktop.session.recording import store_run_result
from consensus_desktop.session.results import SessionResults


class Rounds(SessionResults):
    def run_request(self) -> RunRequest:
        ops = self.opinions()
        people = [p for p in self.present if p["id"] in ops]
        s = self.settings
        rated = self.baselines()  # someone who skipped the position step counts as neutral (4)
        # the statement the baseline screen showed: the position statement, else the question
        position = self.question["position_statement"] or self.question["text"]
        return RunRequest(
            question=self.question["text"],
            opinions=tuple(ops[p["id"]] for p in people),
            names=tuple(p["pseudonym"] for p in people),
            n=s.n_candidates,
            alpha=s.alpha,
            seed=s.seed + 1000 * self.runs_done(),
            max_tokens=s.max_tokens,
            shortlist_k=s.shortlist_k,
            position=position if rated else "",
            baselines=tuple(float(rated.get(p["id"], 4)) for p in people) if rated else (),
            earlier=tuple(c.text for c in self.round_candidates()) if self.regenerating else (),
        )

    def needs_revision(self) -> bool:
        """After a critique round, the next generation revises the chosen statement.

        That is when the chosen statement belongs to the latest round and the room critiqued it
        (a regeneration repeats the latest run's kind).
        """
        if self.regenerating:
            return self._latest_run_kind() == "revision"
        sel = self.selection()
        return (
            sel is not None
            and sel["candidate_id"] in {c.id for c in self.round_candidates(True)}
            and bool(self.critiques_for(sel["candidate_id"]))
        )

    def next_request(self) -> RunRequest:
        request = self.run_request()
        if not self.needs_revision():
            return request
        sel = self.selection()
        assert sel is not None
        critiques = self.critiques_for(sel["candidate_id"])
        pid_of = {p["pseudonym"]: p["id"] for p in self.participants}
        return replace(
            request,
            previous_statement=sel["text"],
            critiques=tuple(critiques.get(pid_of[n], "") for n in request.participant_names()),
        )

    def can_regenerate(self) -> bool:
        return self.latest_run_id() is not None and not self.raters()

    def request_regeneration(self) -> None:
        """New candidates for the same round; the ones already written stay in the pool."""
        if not self.can_regenerate():
            raise ValueError("The room has already rated these statements.")
        self.store.log_event(
            self.session_id,
            "regenerate",
            {"question_id": self.question["id"], "after_run_id": self.latest_run_id()},
        )

    def record_run(self, result: RunResult) -> int:
        names = result.request.participant_names()
        pid_of = {p["pseudonym"]: p["id"] for p in self.participants}
        regenerated = self.regenerating
        round_ = self.rounds_done() - 1 if regenerated else self.rounds_done()
        kind = "revision" if result.request.previous_statement else "initial"
        id_of = {c.text: c.id for c in self.round_candidates()} if regenerated else {}
        run_id, _ = store_run_result(
            self.store,
            self.session_id,
            self.question["id"],
            [pid_of[n] for n in names],
            result,
            round_,
            kind,
            [id_of.get(t) for t in result.request.earlier],  # None: reworded meanwhile
        )
        if regenerated:
            self.store.log_event(
                self.session_id, "regenerated", {"run_id": run_id, "round": round_}
            )
        return run_id

    def edit_candidate(self, cid: int, text: str) -> int:
        """The facilitator rewords a candidate before the room rates it.

        A new candidate replaces the old one (kept, and named in ``replaces_id``); it takes the
        old one's predictions, which were made for the original wording.
        """
        text = " ".join(text.split())
        if not text:
            raise ValueError("The statement is empty.")
        if self.raters():
            raise ValueError("The room has already rated these statements.")
        if cid not in {c.id for c in self.round_candidates()}:
            raise ValueError(
                "That statement is an earlier round's choice: it stays as the room rated it."
            )
        old = self.candidate(cid)
        if text == old["text"]:
            raise ValueError("The wording is unchanged.")
        return self.store.add_edited_candidate(self.session_id, cid, text)
