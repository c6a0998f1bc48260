"""Ratings logged in sessions as extra training data: a rater's opinion, the statement, agreement."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from consensus_desktop.reward.polis_data import Conversation
from consensus_desktop.store.foreign import read_session_file
from consensus_desktop.welfare.utilities import rating_to_vote


def conversations_from_sessions(files: Sequence[Path]) -> list[Conversation]:
    """One pseudo-conversation per session question: opinions as comments by their authors,
    rated statements as comments by nobody, ratings > 4 agree and < 4 disagree (4 is dropped)."""
    out: list[Conversation] = []
    for path in files:
        db = read_session_file(Path(path))  # checked, read-only, nothing of the file run
        try:
            rehearsals = {
                s["id"]
                for s in db.query("SELECT id, settings FROM sessions")
                if json.loads(s["settings"] or "{}").get("rehearsal")
            }
            for q in db.query("SELECT id, session_id FROM questions"):
                if q["session_id"] in rehearsals:
                    continue  # example opinions, not people's: never training data
                comments: dict[int, str] = {}
                authors: dict[int, int] = {}
                votes: dict[tuple[int, int], int] = {}
                for o in db.query(
                    "SELECT id, participant_id, text FROM opinions WHERE question_id = ? AND id "
                    "NOT IN (SELECT replaces_id FROM opinions WHERE replaces_id IS NOT NULL)",
                    [q["id"]],
                ):
                    comments[-o["id"]] = o["text"]  # negative ids: no clash with candidates
                    authors[-o["id"]] = o["participant_id"]
                for r in db.query(
                    "SELECT r.participant_id, r.agreement, c.id AS cid, c.text FROM ratings r "
                    "JOIN candidates c ON c.id = r.candidate_id JOIN generation_runs g "
                    "ON g.id = c.run_id WHERE g.question_id = ?",
                    [q["id"]],
                ):
                    comments[r["cid"]] = r["text"]
                    vote = rating_to_vote(r["agreement"])
                    if vote:  # neutral is a pass, not a label
                        votes[(r["participant_id"], r["cid"])] = vote
                if votes:
                    out.append(
                        Conversation(
                            f"session:{Path(path).name}:{q['id']}",
                            "session",
                            comments,
                            authors,
                            votes,
                        )
                    )
        finally:
            db.conn.close()
    return out
