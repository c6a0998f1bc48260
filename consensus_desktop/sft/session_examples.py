"""What rooms endorsed in past sessions, as training examples.

Per question of a session file (rehearsals are never read): every statement the room rated is
scored by the welfare of its real ratings at the session's own alpha (the welfare choice the
facilitator made), on the 1–7 scale. The best one is the target for the jury prompt (the
question and the participants' current opinions), kept only when that welfare reaches
``RATING_THRESHOLD`` (5, "somewhat agree") with at least ``MIN_RATERS`` ratings. A critique-round
revision is a target for the revision prompt (opinions, the statement it revised, each person's
critique) when its welfare is higher than the revised statement's and also reaches the threshold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

from consensus_desktop.prompts import REVISION, JuryTemplate
from consensus_desktop.sft.examples import Example, example
from consensus_desktop.store.rated_questions import RatedQuestion, rated_questions
from consensus_desktop.welfare.function import WelfareFunction

RATING_THRESHOLD = 5.0
MIN_RATERS = 2


def rated_welfare(q: RatedQuestion) -> dict[int, float]:
    """Candidate id -> welfare (1–7) of its real ratings at the session's alpha."""
    by_candidate: dict[int, list[float]] = defaultdict(list)
    for _, agreement, cid, _ in q.ratings:
        if agreement is not None:
            by_candidate[cid].append(float(agreement))
    w = WelfareFunction(q.alpha)
    return {cid: float(w.of(r)) for cid, r in by_candidate.items() if len(r) >= MIN_RATERS}


def _revised(q: RatedQuestion, cid: int) -> int | None:
    """The statement a revision candidate revised: the critiqued statement of the round before."""
    round_of = {c: r for c, r, _ in q.rounds}
    critiqued = {c for c, _, _ in q.critiques}
    earlier = [c for c in critiqued if round_of.get(c) == round_of[cid] - 1]
    return max(earlier) if earlier else None


def question_examples(q: RatedQuestion, template: JuryTemplate, origin: str) -> Iterator[Example]:
    scores = rated_welfare(q)
    opinions = [text for _, _, text in q.opinions]
    if not scores or not opinions:
        return
    text_of = {cid: text for _, _, cid, text in q.ratings}
    best = max(scores, key=lambda c: (scores[c], -c))
    if scores[best] >= RATING_THRESHOLD:
        plan = template.plan(q.text, opinions)
        yield example("session", plan, text_of[best], f"{origin}#{best}", scores[best])
    for cid, _, kind in q.rounds:
        revised = _revised(q, cid) if kind == "revision" else None
        if revised is None or cid not in scores or revised not in scores:
            continue
        if scores[cid] <= scores[revised] or scores[cid] < RATING_THRESHOLD:
            continue
        said = {pid: text for c, pid, text in q.critiques if c == revised}
        critiques = [said.get(pid, "") for _, pid, _ in q.opinions]
        plan = REVISION.plan(q.text, opinions, text_of[revised], critiques)
        yield example("revision", plan, text_of[cid], f"{origin}#{cid}", scores[cid])


def session_examples(files: Sequence[Path], template: JuryTemplate) -> Iterator[Example]:
    for path in files:
        for q in rated_questions(Path(path)):
            yield from question_examples(q, template, f"{Path(path).name}:q{q.question_id}")
