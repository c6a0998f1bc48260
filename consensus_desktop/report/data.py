"""What the report shows, gathered from the store: plain data, no Qt and no HTML.

Scores, shortlists, winners and the Schulze ranking come from the same ``Facilitation`` code the
app's screens use, pinned to one question and one generation run, so the report cannot disagree
with what the room saw.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from consensus_desktop import __version__
from consensus_desktop.session.facilitation import Facilitation
from consensus_desktop.store.exports import NameScrubber, anonymous_label
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.welfare.function import NAMED_POINTS
from consensus_desktop.welfare.group_metrics import Agreement
from consensus_desktop.welfare.isoelastic import alpha_from_json


@dataclass(frozen=True)
class ReportOptions:
    anonymise: bool = False  # participants as in the anonymised export (participant-1a2b3c4d)
    with_opinions: bool = False  # opinions, critiques and pseudonyms


@dataclass(frozen=True)
class Distribution:
    """How many gave each rating 1–7, and the mean and lowest rating."""

    counts: tuple[int, ...]
    mean: float
    min: float
    n: int

    @classmethod
    def of(cls, ratings: Sequence[float]) -> Distribution:
        r = [float(x) for x in ratings if math.isfinite(x)]
        counts = tuple(sum(1 for x in r if round(x) == k) for k in range(1, 8))
        if not r:
            return cls(counts, math.nan, math.nan, 0)
        return cls(counts, float(np.mean(r)), min(r), len(r))


@dataclass(frozen=True)
class Statement:
    label: str  # "A", "B", … within its round
    text: str
    ratings: tuple[float, ...]  # one per participant; NaN where not rated
    predicted: tuple[float, ...]  # the reward model's prediction, one per participant
    on_shortlist: bool
    chosen: bool
    original: str = ""  # the model's wording when the facilitator reworded it
    from_round: int = 0  # an earlier round's choice kept in the running: that round's number

    @property
    def rated(self) -> Distribution:
        return Distribution.of(self.ratings)

    @property
    def predicted_mean(self) -> float:
        return float(np.mean(self.predicted)) if self.predicted else math.nan

    @property
    def predicted_min(self) -> float:
        return float(np.min(self.predicted)) if self.predicted else math.nan


@dataclass(frozen=True)
class Stretch:
    label: str
    alpha_from: float
    alpha_to: float


@dataclass(frozen=True)
class WelfareChoice:
    method: str
    alpha: float | None
    chosen_by: str
    basis: str  # what the welfare was computed on
    winners: tuple[tuple[str, float, str], ...]  # (name, alpha, statement label)
    stretches: tuple[Stretch, ...]


@dataclass(frozen=True)
class Provenance:
    kind: str
    created_at: str
    model_file: str
    model_sha256: str
    backend: str
    prompt_version: str
    n_requested: int
    n_found: int
    seconds: float
    reward: dict[str, Any]
    alpha: float | None  # the welfare α the run ranked its statements at (None: not recorded)


@dataclass(frozen=True)
class Round:
    number: int  # 1 for the first generation, 2 after a critique round
    kind: str
    n_written: int  # statements the model wrote in this round (regenerations included)
    n_reworded: int  # of those, reworded by the facilitator
    participants: tuple[str, ...]  # those present: one per rating/prediction column
    statements: tuple[Statement, ...]  # the shortlist, then other statements that win somewhere
    has_ratings: bool
    choice: WelfareChoice | None
    schulze: tuple[tuple[str, ...], ...]  # groups of statement labels, best first; () if no ranks
    n_rankings: int
    critiques: tuple[tuple[str, str], ...]  # (participant, text): only with opinions
    n_critiques: int
    runs: tuple[Provenance, ...]  # the round's first generation, then any regenerations

    @property
    def reward(self) -> dict[str, Any]:
        return next((r.reward for r in self.runs if r.reward), {})

    @property
    def shortlist(self) -> tuple[Statement, ...]:
        return tuple(s for s in self.statements if s.on_shortlist)

    @property
    def chosen(self) -> Statement | None:
        return next((s for s in self.statements if s.chosen), None)


@dataclass(frozen=True)
class QuestionReport:
    number: int
    text: str
    position_statement: str
    n_present: int
    final_statement: str | None
    final_original: str | None  # the model's wording when the facilitator reworded the choice
    final: Distribution
    baseline: Distribution
    before: Agreement
    after: Agreement
    rounds: tuple[Round, ...]
    opinions: tuple[tuple[str, str], ...]  # (participant, text): only with opinions


@dataclass(frozen=True)
class SessionReport:
    title: str
    created_at: str
    updated_at: str
    generated_at: str
    app_version: str
    participants: tuple[str, ...]
    questions: tuple[QuestionReport, ...]
    options: ReportOptions
    rehearsal: bool = False  # example participants: not a real session

    @property
    def has_ratings(self) -> bool:
        return any(r.has_ratings for q in self.questions for r in q.rounds)


class _Pinned(Facilitation):
    """The facilitation logic for one question and (optionally) one round of generation."""

    def __init__(
        self,
        store: SessionStore,
        session_id: int,
        question: dict[str, Any],
        round_: int | None = None,
    ) -> None:
        super().__init__(store, session_id)
        self._question = question
        self.round = round_

    @property
    def question(self) -> dict[str, Any]:
        return self._question

    def round_number(self, round_: int | None = None) -> int:
        return super().round_number(self.round if round_ is None else round_)


def gather(store: SessionStore, session_id: int, options: ReportOptions) -> SessionReport:
    flow = Facilitation(store, session_id)
    row = flow.row
    people = flow.participants
    if options.anonymise:
        labels = [anonymous_label(str(p["uuid"])) for p in people]
        clean: Callable[[str], str] = NameScrubber(people)
    elif options.with_opinions:
        labels = [p["pseudonym"] for p in people]
        clean = str
    else:
        labels = [f"P{i + 1}" for i in range(len(people))]
        clean = str
    label_of = {p["id"]: lab for p, lab in zip(people, labels, strict=True)}
    questions = tuple(
        _question(store, session_id, q, i + 1, label_of, options, clean)
        for i, q in enumerate(flow.questions)
    )
    return SessionReport(
        title="Anonymised session" if options.anonymise else str(row["name"]),
        created_at=str(row["created_at"]),
        updated_at=str(row["updated_at"] or row["created_at"]),
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        app_version=__version__,
        participants=tuple(labels),
        questions=questions,
        options=options,
        rehearsal=flow.settings.rehearsal,
    )


def _question(
    store: SessionStore,
    session_id: int,
    question: dict[str, Any],
    number: int,
    label_of: dict[int, str],
    options: ReportOptions,
    clean: Callable[[str], str],
) -> QuestionReport:
    view = _Pinned(store, session_id, question)
    rounds = tuple(
        _round(_Pinned(store, session_id, question, r), label_of, options, clean)
        for r in view.round_numbers()
    )
    sel = view.selection()
    original = view.model_original(sel["candidate_id"]) if sel else None
    present = {p["id"] for p in view.present}
    final = view.final_ratings()
    before, after = view.agreement_before_after()
    opinions: tuple[tuple[str, str], ...] = ()
    if options.with_opinions:
        current = view.opinions()
        opinions = tuple((label_of[pid], clean(current[pid])) for pid in label_of if pid in current)
    return QuestionReport(
        number=number,
        text=clean(str(question["text"])),
        position_statement=clean(str(question.get("position_statement") or "")),
        n_present=len(view.present),
        final_statement=clean(str(sel["text"])) if sel else None,
        final_original=clean(original) if original else None,
        final=Distribution.of(list(final.values())),
        baseline=Distribution.of([v for p, v in view.baselines().items() if p in present]),
        before=before,
        after=after,
        rounds=rounds,
        opinions=opinions,
    )


def _round(
    view: _Pinned,
    label_of: dict[int, str],
    options: ReportOptions,
    clean: Callable[[str], str],
) -> Round:
    runs = view.round_runs()
    scores = view.scores()
    cands = scores.candidates
    earlier = view.previous_choice()
    written = view.round_candidates(include_replaced=True)
    selected = view.choice_among([c.id for c in cands])
    chosen_id = selected["candidate_id"] if selected else None
    rated_rows = [i for i in range(len(cands)) if scores.is_rated(i) and i != scores.carried]
    if rated_rows:
        shortlist = sorted(
            rated_rows,
            key=lambda i: (-float(np.nanmean(scores.rated[i])), -float(np.nanmin(scores.rated[i]))),
        )
    else:
        alpha = _alpha(selected["alpha"]) if selected else None
        ids = [c.id for c in view.shortlist(alpha=alpha)] if cands else []
        shortlist = [next(i for i, c in enumerate(cands) if c.id == cid) for cid in ids]
    chosen_row = next((i for i, c in enumerate(cands) if c.id == chosen_id), None)
    if chosen_row is not None and chosen_row not in shortlist and chosen_row != scores.carried:
        shortlist.append(chosen_row)
    kept = [] if scores.carried is None else [scores.carried]
    to = view.tradeoff(scores) if cands else None
    extra: list[int] = []
    if to is not None:
        wins = [s.winner for s in to.stretches] + [to.winner_at(a) for _, a in NAMED_POINTS]
        extra = [i for i in dict.fromkeys(wins) if i not in shortlist + kept]
    order = shortlist + kept + extra
    label = {i: scores.label(i) for i in order}
    statements = tuple(
        Statement(
            label=label[i],
            text=clean(cands[i].text),
            ratings=tuple(float(x) for x in scores.rated[i]),
            predicted=tuple(float(x) for x in scores.predicted[i]),
            on_shortlist=i in shortlist,
            chosen=cands[i].id == chosen_id,
            original=clean(view.model_original(cands[i].id) or ""),
            from_round=earlier[0] + 1 if earlier is not None and i == scores.carried else 0,
        )
        for i in order
    )
    choice = None
    if to is not None:
        choice = WelfareChoice(
            method=str(selected["method"]) if selected else "not chosen yet",
            alpha=_alpha(selected["alpha"]) if selected else None,
            chosen_by=str(selected["chosen_by"] or "") if selected else "",
            basis=(
                "the room's ratings, and predictions shifted by each person's offset where they "
                "did not rate"
                if scores.has_ratings
                else "predictions only (no ratings yet)"
            ),
            winners=tuple((name, a, label[to.winner_at(a)]) for name, a in NAMED_POINTS),
            stretches=tuple(
                Stretch(label[s.winner], s.alpha_from, s.alpha_to) for s in to.stretches
            ),
        )
    present = [p["id"] for p in view.present]
    ranking = view.schulze() if cands else None
    schulze: tuple[tuple[str, ...], ...] = ()
    n_rankings = 0
    if ranking is not None:
        n_rankings = len({r["participant_id"] for r in view.round_rankings()} & set(present))
        d = ranking.pairwise
        ranked = {i for i in range(len(cands)) if (d[i] + d[:, i]).any()}
        groups = (tuple(scores.label(i) for i in g if i in ranked) for g in ranking.tied)
        schulze = tuple(g for g in groups if g)
    critiques = view.critiques_for(chosen_id) if chosen_id is not None else {}
    critiques = {pid: text for pid, text in critiques.items() if pid in present}
    return Round(
        number=int(runs[0].get("round") or 0) + 1,
        kind=str(runs[0].get("kind") or "initial"),
        n_written=sum(1 for c in written if c.edited_from is None),
        n_reworded=sum(1 for c in view.round_candidates() if c.edited_from is not None),
        participants=tuple(label_of[pid] for pid in present),
        statements=statements,
        has_ratings=scores.has_ratings,
        choice=choice,
        schulze=schulze,
        n_rankings=n_rankings,
        critiques=tuple(
            (label_of[pid], clean(text)) for pid, text in critiques.items() if pid in label_of
        )
        if options.with_opinions
        else (),
        n_critiques=sum(1 for t in critiques.values() if t.strip()),
        runs=tuple(_provenance(run, view.reward_version(run["id"])) for run in runs),
    )


def _alpha(value: Any) -> float | None:
    if value is None:
        return None
    return alpha_from_json(value)


def _provenance(run: dict[str, Any], reward: dict[str, Any]) -> Provenance:
    return Provenance(
        kind=str(run.get("kind") or "initial"),
        created_at=str(run.get("created_at") or ""),
        model_file=str(run.get("model_file") or ""),
        model_sha256=str(run.get("model_sha256") or ""),
        backend=str(run.get("backend") or ""),
        prompt_version=str(run.get("prompt_template") or ""),
        n_requested=int(run.get("n_requested") or 0),
        n_found=int(run.get("n_found") or 0),
        seconds=float(run.get("seconds") or 0.0),
        reward=reward,
        alpha=_alpha(run.get("alpha")),
    )
