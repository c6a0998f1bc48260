"""Exports for sharing and research: anonymised file, Polis-compatible CSVs, flat ratings CSV."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import sqlite_utils

from consensus_desktop.store.database import open_database
from consensus_desktop.store.transfer import export_session, session_rows
from consensus_desktop.welfare.utilities import rating_to_vote


def anonymise_session(
    src: sqlite_utils.Database, session_id: int, target: Path, keep_text: bool = True
) -> Path:
    """Export with pseudonyms replaced by stable random ids (from each participant's uuid).

    With ``keep_text=False`` opinions, critiques and event payloads are dropped as well (free text
    can name people); statements written by the model are kept.
    """
    export_session(src, session_id, target)
    db = open_database(target)
    try:
        participants = list(db.table("participants").rows)
        mapping = {p["pseudonym"]: f"participant-{p['uuid'][:8]}" for p in participants}
        with db.conn:
            for p in participants:
                db.table("participants").update(p["id"], {"pseudonym": mapping[p["pseudonym"]]})
            db.execute("UPDATE sessions SET name = 'anonymised session'")
            if keep_text:
                _replace_names(db, mapping)
            else:
                db.execute("UPDATE opinions SET text = ''")
                db.execute("UPDATE critiques SET text = ''")
                db.execute("DROP TRIGGER IF EXISTS events_no_update")
                db.execute("UPDATE events SET payload = '{}'")
            note = "text kept" if keep_text else "text dropped"
            db.table("meta").upsert({"key": "anonymised", "value": note}, pk="key")
        db.execute("PRAGMA journal_mode=DELETE")
    finally:
        db.conn.close()
    return target


def _replace_names(db: sqlite_utils.Database, mapping: dict[str, str]) -> None:
    """Pseudonyms mentioned in free text (opinions, critiques, event payloads) are replaced too."""
    if not mapping:
        return
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(n) for n in sorted(mapping, key=len, reverse=True)) + r")\b",
        re.IGNORECASE,
    )
    lookup = {k.casefold(): v for k, v in mapping.items()}
    db.execute("DROP TRIGGER IF EXISTS events_no_update")  # this file is a derived copy
    for table, column in (("opinions", "text"), ("critiques", "text"), ("events", "payload")):
        for row in list(db.table(table).rows):
            text = row[column] or ""
            new = pattern.sub(lambda m: lookup[m.group(0).casefold()], text)
            if new != text:
                db.execute(f"UPDATE [{table}] SET [{column}] = ? WHERE id = ?", [new, row["id"]])


def _epoch_ms(iso: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(iso).timestamp() * 1000)


def polis_csv(src: sqlite_utils.Database, session_id: int, out_dir: Path) -> tuple[Path, Path]:
    """``comments.csv`` and ``votes.csv`` in Polis's column names (agree 1, disagree -1, pass 0).

    Comments are the participants' opinions (authored by them) and the model's candidates that
    were rated (author-id -1, the model mediator). Votes are the room's ratings of candidates.
    """
    rows = session_rows(src, session_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    voter = {p["id"]: i for i, p in enumerate(rows["participants"])}
    rated = {r["candidate_id"] for r in rows["ratings"]}
    comments: list[dict[str, Any]] = []
    comment_id: dict[tuple[str, int], int] = {}
    replaced = {o["replaces_id"] for o in rows["opinions"] if o["replaces_id"]}
    for o in rows["opinions"]:
        if o["id"] in replaced:
            continue
        comment_id[("opinion", o["id"])] = len(comments)
        comments.append(
            {
                "kind": "opinion",
                "at": o["created_at"],
                "author": voter[o["participant_id"]],
                "text": o["text"],
                "id": o["id"],
            }
        )
    for c in rows["candidates"]:
        if c["id"] in rated:
            comment_id[("candidate", c["id"])] = len(comments)
            comments.append(
                {
                    "kind": "candidate",
                    "at": c["created_at"],
                    "author": -1,
                    "text": c["text"],
                    "id": c["id"],
                }
            )
    votes = [
        {
            "at": r["created_at"],
            "comment": comment_id[("candidate", r["candidate_id"])],
            "voter": voter[r["participant_id"]],
            "vote": rating_to_vote(r["agreement"]),
        }
        for r in rows["ratings"]
    ]
    comments_path, votes_path = out_dir / "comments.csv", out_dir / "votes.csv"
    with comments_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "timestamp",
                "datetime",
                "comment-id",
                "author-id",
                "agrees",
                "disagrees",
                "moderated",
                "comment-body",
            ]
        )
        for i, c in enumerate(comments):
            mine = [v for v in votes if v["comment"] == i]
            w.writerow(
                [
                    _epoch_ms(c["at"]),
                    c["at"],
                    i,
                    c["author"],
                    sum(v["vote"] == 1 for v in mine),
                    sum(v["vote"] == -1 for v in mine),
                    1,
                    c["text"],
                ]
            )
    with votes_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["timestamp", "datetime", "comment-id", "voter-id", "vote"])
        for v in votes:
            w.writerow([_epoch_ms(v["at"]), v["at"], v["comment"], v["voter"], v["vote"]])
    return comments_path, votes_path


def ratings_csv(src: sqlite_utils.Database, session_id: int, out_dir: Path) -> Path:
    """One row per rating, with the statement, the rater and the model's prediction beside it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "ratings.csv"
    query = """
        SELECT s.name AS session, q.text AS question, p.pseudonym AS participant,
               c.id AS candidate_id, c.text AS statement, r.agreement, r.quality,
               r.seconds_taken, r.created_at,
               (SELECT agreement FROM predictions pr WHERE pr.candidate_id = c.id
                  AND pr.participant_id = p.id ORDER BY pr.id DESC LIMIT 1) AS predicted_agreement,
               g.model_file, g.prompt_template
        FROM ratings r
        JOIN candidates c ON c.id = r.candidate_id
        JOIN generation_runs g ON g.id = c.run_id
        JOIN questions q ON q.id = g.question_id
        JOIN sessions s ON s.id = g.session_id
        JOIN participants p ON p.id = r.participant_id
        WHERE s.id = ? ORDER BY r.id
    """
    rows = list(src.query(query, [session_id]))
    columns = [
        "session",
        "question",
        "participant",
        "candidate_id",
        "statement",
        "agreement",
        "quality",
        "seconds_taken",
        "created_at",
        "predicted_agreement",
        "model_file",
        "prompt_template",
    ]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        w.writerows(rows)
    return path


def describe(db: sqlite_utils.Database) -> dict[str, Any]:
    return {
        "meta": {r["key"]: r["value"] for r in db.table("meta").rows},
        "tables": {t: db.table(t).count for t in db.table_names()},
    }


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
