"""What a session file holds that can train the reward model: per question, the current opinions
and the room's ratings of statements. The SQL lives here, in the store; ``reward`` gets rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from consensus_desktop.store.database import current_opinions
from consensus_desktop.store.foreign import read_session_file


@dataclass(frozen=True)
class RatedQuestion:
    question_id: int
    opinions: tuple[tuple[int, int, str], ...]  # (opinion id, participant id, text), current ones
    ratings: tuple[
        tuple[int, float, int, str], ...
    ]  # (participant id, agreement, candidate id, text)


def rated_questions(path: Path) -> Iterator[RatedQuestion]:
    """Every question of every non-rehearsal session in a session file (checked, read-only)."""
    db = read_session_file(Path(path))
    try:
        rehearsals = {
            s["id"]
            for s in db.query("SELECT id, settings FROM sessions")
            if json.loads(s["settings"] or "{}").get("rehearsal")
        }
        for q in db.query("SELECT id, session_id FROM questions"):
            if q["session_id"] in rehearsals:
                continue  # example opinions, not people's: never training data
            opinions = current_opinions(db, q["id"])
            ratings = db.query(
                "SELECT r.participant_id, r.agreement, c.id AS cid, c.text FROM ratings r "
                "JOIN candidates c ON c.id = r.candidate_id JOIN generation_runs g "
                "ON g.id = c.run_id WHERE g.question_id = ?",
                [q["id"]],
            )
            yield RatedQuestion(
                q["id"],
                tuple((o["id"], o["participant_id"], o["text"]) for o in opinions),
                tuple((r["participant_id"], r["agreement"], r["cid"], r["text"]) for r in ratings),
            )
    finally:
        db.conn.close()
