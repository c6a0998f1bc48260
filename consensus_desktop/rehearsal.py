"""Rehearsal: a session filled with example opinions so a facilitator can practise (no Qt).

The examples are built from a library question's own affirming and negating statements, are
labelled as examples everywhere (pseudonyms, session name, a banner in the app) and the session is
flagged ``rehearsal`` in its settings, which keeps it out of research data (training on session
files skips it).
"""

from __future__ import annotations

import random

from consensus_desktop.question_library import LibraryQuestion, load_questions
from consensus_desktop.session.facilitation import Facilitation
from consensus_desktop.session.values import Settings
from consensus_desktop.store.session_store import SessionStore

REHEARSAL_PREFIX = "REHEARSAL"
# (pseudonym, position rating 1–7, opinion from the affirming (a) and negating (n) statements)
EXAMPLES = (
    ("Example for", 6, "{a} It would help people here, and I think it is worth the cost."),
    ("Example against", 2, "{n} The downsides are bigger than the benefits for most of us."),
    ("Example unsure", 4, "I can see both sides. {a} But I also hear that {n_lower}"),
    (
        "Example if",
        5,
        "Only if it is done carefully and fairly. {a} Those affected should have a say.",
    ),
)


def pick_question(seed: int | None = None) -> LibraryQuestion:
    usable = [q for q in load_questions() if q.affirming_statement and q.negating_statement]
    return random.Random(seed).choice(usable)


def example_opinions(q: LibraryQuestion) -> list[tuple[str, int, str]]:
    a, n = q.affirming_statement.strip(), q.negating_statement.strip()
    n_lower = n[:1].lower() + n[1:]
    return [
        (name, rating, text.format(a=a, n=n, n_lower=n_lower)) for name, rating, text in EXAMPLES
    ]


def create_rehearsal(
    store: SessionStore, question: LibraryQuestion, settings: Settings | None = None
) -> Facilitation:
    """A session with four example participants who have agreed, rated and written: it starts
    at the generation step."""
    settings = settings or Settings()
    settings.rehearsal = True
    examples = example_opinions(question)
    flow = Facilitation.create(
        store,
        f"{REHEARSAL_PREFIX}: {question.question}"[:80],
        [(question.question, question.affirming_statement, question.id)],
        [name for name, _, _ in examples],
        settings,
    )
    store.log_event(flow.session_id, "rehearsal", {"library_id": question.id})
    for person, (_, rating, text) in zip(flow.participants, examples, strict=True):
        flow.record_consent(person["id"], True)
        flow.record_baseline(person["id"], rating)
        flow.record_opinion(person["id"], text)
    flow.go_to("generation")
    return flow
