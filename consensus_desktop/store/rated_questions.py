"""What a session file holds that can train the models: per question, its text, the current
opinions, the room's ratings of statements, which round wrote each statement, the critiques, and
the session's welfare alpha. The SQL lives here, in the store; ``reward`` and ``sft`` get rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from consensus_desktop.store.database import current_opinions
from consensus_desktop.store.foreign import read_session_file
from consensus_desktop.welfare.isoelastic import alpha_from_json


@dataclass(frozen=True)
class RatedQuestion:
    question_id: int
    opinions: tuple[tuple[int, int, str], ...]  # (opinion id, participant id, text), current ones
    ratings: tuple[
        tuple[int, float, int, str], ...
    ]  # (participant id, agreement, candidate id, text)
    text: str = ""  # the question
    alpha: float = 0.0  # the session's welfare choice
    rounds: tuple[tuple[int, int, str], ...] = ()  # (candidate id, round, run kind) of each rated
    critiques: tuple[tuple[int, int, str], ...] = ()  # (candidate id, participant id, text)


def rated_questions(path: Path) -> Iterator[RatedQuestion]:
    """Every question of every non-rehearsal session in a session file (checked, read-only)."""
    db = read_session_file(Path(path))
    try:
        settings = {
            s["id"]: json.loads(s["settings"] or "{}")
            for s in db.query("SELECT id, settings FROM sessions")
        }
        for q in db.query("SELECT id, session_id, text FROM questions"):
            if settings[q["session_id"]].get("rehearsal"):
                continue  # example opinions, not people's: never training data
            opinions = current_opinions(db, q["id"])
            ratings = list(
                db.query(
                    "SELECT r.participant_id, r.agreement, c.id AS cid, c.text, g.round, g.kind "
                    "FROM ratings r JOIN candidates c ON c.id = r.candidate_id "
                    "JOIN generation_runs g ON g.id = c.run_id WHERE g.question_id = ?",
                    [q["id"]],
                )
            )
            critiques = db.query(
                "SELECT k.candidate_id, k.participant_id, k.text FROM critiques k "
                "JOIN candidates c ON c.id = k.candidate_id JOIN generation_runs g "
                "ON g.id = c.run_id WHERE g.question_id = ? ORDER BY k.id",
                [q["id"]],
            )
            yield RatedQuestion(
                q["id"],
                tuple((o["id"], o["participant_id"], o["text"]) for o in opinions),
                tuple((r["participant_id"], r["agreement"], r["cid"], r["text"]) for r in ratings),
                q["text"],
                alpha_from_json(settings[q["session_id"]].get("alpha", 0.0)),
                tuple(dict.fromkeys((r["cid"], r["round"] or 0, r["kind"] or "") for r in ratings)),
                tuple((k["candidate_id"], k["participant_id"], k["text"] or "") for k in critiques),
            )
    finally:
        db.conn.close()
