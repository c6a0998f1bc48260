"""Polis comments that every opinion group endorsed, as consensus statements to learn from.

Targets: the comments whose group-aware consensus (``opinion_groups``) clears
``CONSENSUS_THRESHOLD`` per group, i.e. ``consensus >= CONSENSUS_THRESHOLD ** k`` for k groups:
on the geometric mean over groups, each group's smoothed share agreeing is at least 0.65. Input:
the conversation's topic as the question, and as opinions one comment each from 4–8 other
participants (never the target's author), drawn at random (seeded per conversation and comment).
Only people's own words: the comment text and the topic, nothing written by a model.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

from consensus_desktop.engine.cleaning import clean_candidate
from consensus_desktop.prompts import JuryTemplate, clean_participant_text
from consensus_desktop.reward.polis_data import Conversation
from consensus_desktop.sft.examples import Example, example
from consensus_desktop.sft.opinion_groups import opinion_groups

CONSENSUS_THRESHOLD = 0.65  # per group (geometric mean over the groups)
MIN_OPINIONS, MAX_OPINIONS = 4, 8
MIN_CHARS = 20  # a target must be a statement, not a fragment (characters: Chinese has no spaces)


def is_statement(text: str) -> bool:
    """A target the app itself would accept as a candidate: whole sentences that end as one
    (., !, ?), four words or more, nothing the candidate cleaning would cut away, and at least
    ``MIN_CHARS`` characters. Comments written as fragments taught the model to write fragments
    (measured: see the README)."""
    text = clean_participant_text(text).text
    return len(text) >= MIN_CHARS and clean_candidate(text) == " ".join(text.split())


def polis_examples(
    conversations: Sequence[Conversation], template: JuryTemplate, seed: int = 0
) -> Iterator[Example]:
    for conv in conversations:
        groups = opinion_groups(conv, seed)
        if not groups.participants:
            continue
        threshold = CONSENSUS_THRESHOLD**groups.k
        by_author: dict[int, list[int]] = {}
        for cid, author in sorted(conv.authors.items()):
            by_author.setdefault(author, []).append(cid)
        for cid, consensus in groups.consensus_of().items():
            text = conv.comments[cid]
            if consensus < threshold or not is_statement(text):
                continue
            others = sorted(a for a in by_author if a != conv.authors[cid])
            if len(others) < MIN_OPINIONS:
                continue
            rng = random.Random(f"{seed}:{conv.name}:{cid}")
            chosen = rng.sample(others, min(len(others), rng.randint(MIN_OPINIONS, MAX_OPINIONS)))
            opinions = [conv.comments[rng.choice(by_author[a])] for a in chosen]
            plan = template.plan(conv.topic, opinions)
            yield example("polis", plan, text, f"{conv.name}#{cid}", consensus)
