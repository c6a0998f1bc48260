"""Ratings logged in sessions as extra training data: a rater's opinion, the statement, agreement."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from consensus_desktop.reward.polis_data import Conversation
from consensus_desktop.store.rated_questions import rated_questions
from consensus_desktop.welfare.utilities import rating_to_vote


def conversations_from_sessions(files: Sequence[Path]) -> list[Conversation]:
    """One pseudo-conversation per session question: opinions as comments by their authors,
    rated statements as comments by nobody, ratings > 4 agree and < 4 disagree (4 is dropped)."""
    out: list[Conversation] = []
    for path in files:
        for q in rated_questions(Path(path)):
            comments: dict[int, str] = {}
            authors: dict[int, int] = {}
            votes: dict[tuple[int, int], int] = {}
            for opinion_id, participant_id, text in q.opinions:
                comments[-opinion_id] = text  # negative ids: no clash with candidates
                authors[-opinion_id] = participant_id
            for participant_id, agreement, candidate_id, text in q.ratings:
                comments[candidate_id] = text
                vote = rating_to_vote(agreement)
                if vote:  # neutral is a pass, not a label
                    votes[(participant_id, candidate_id)] = vote
            if votes:
                out.append(
                    Conversation(
                        f"session:{Path(path).name}:{q.question_id}",
                        "session",
                        comments,
                        authors,
                        votes,
                    )
                )
    return out
