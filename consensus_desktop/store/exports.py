"""Exports for sharing and research: anonymised file, Polis-compatible CSVs, flat ratings CSV."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import uuid
from pathlib import Path
from typing import Any

import sqlite_utils

from consensus_desktop import __version__
from consensus_desktop.safe_files import check_destination, write_text
from consensus_desktop.store.database import (
    SessionFileError,
    current_opinions,
    memory_database,
    model_originals,
    now,
    transaction,
    write_database,
)
from consensus_desktop.store.schema import SCHEMA_VERSION, SESSION_TABLES
from consensus_desktop.store.transfer import session_rows
from consensus_desktop.welfare.utilities import rating_to_vote

# The anonymised file is built from this allow-list, never by editing a full copy. Every column
# of every session table is listed with what the anonymised file gets; a column not listed (one a
# later migration adds) is left empty until someone decides. Whatever the rule, every string that
# reaches the file has the participants' names replaced (see ``NameScrubber``).
KEEP, FREE_TEXT, PSEUDONYM, SESSION_NAME, SESSION_UUID = (
    "keep",
    "free text",
    "pseudonym",
    "session name",
    "session uuid",
)
ANONYMISED_COLUMNS: dict[str, dict[str, str]] = {
    "sessions": {
        "id": KEEP,
        "uuid": SESSION_UUID,
        "name": SESSION_NAME,
        "created_at": KEEP,
        "updated_at": KEEP,
        "settings": KEEP,
        "origin": KEEP,
        "current_step": KEEP,
    },
    "questions": dict.fromkeys(
        ("id", "session_id", "position", "text", "position_statement", "library_id", "created_at"),
        KEEP,
    ),
    "participants": {
        **dict.fromkeys(("id", "session_id", "uuid", "position", "created_at"), KEEP),
        "pseudonym": PSEUDONYM,
    },
    "baseline_ratings": dict.fromkeys(
        ("id", "participant_id", "question_id", "rating", "seconds_taken", "created_at"), KEEP
    ),
    "opinions": {
        **dict.fromkeys(
            ("id", "participant_id", "question_id", "provenance", "replaces_id", "created_at"),
            KEEP,
        ),
        "text": FREE_TEXT,
    },
    "generation_runs": dict.fromkeys(
        (
            "id",
            "session_id",
            "question_id",
            "round",
            "kind",
            "model_file",
            "model_sha256",
            "backend",
            "prompt_template",
            "sampling",
            "seeds",
            "n_requested",
            "n_found",
            "attempts",
            "tokens",
            "seconds",
            "shortened",  # participants' names: replaced like any string
            "shortlist_rule",
            "alpha",
            "created_at",
        ),
        KEEP,
    ),
    "candidates": dict.fromkeys(
        (
            "id",
            "run_id",
            "position",
            "text",
            "seed",
            "opinion_order",
            "n_tokens",
            "finish_reason",
            "provenance",
            "replaces_id",
            "shortlist_rank",
            "folded",
            "created_at",
        ),
        KEEP,
    ),
    # a rejected sample may repeat an opinion word for word: treated like the opinions
    "rejected_samples": {
        **dict.fromkeys(("id", "run_id", "reason", "seed", "created_at"), KEEP),
        "text": FREE_TEXT,
    },
    "predictions": dict.fromkeys(
        ("id", "candidate_id", "participant_id", "agreement", "reward_version", "created_at"),
        KEEP,
    ),
    "selections": dict.fromkeys(
        (
            "id",
            "session_id",
            "question_id",
            "candidate_id",
            "method",
            "alpha",
            "chosen_by",
            "created_at",
        ),
        KEEP,
    ),
    "ratings": dict.fromkeys(
        (
            "id",
            "candidate_id",
            "participant_id",
            "agreement",
            "quality",
            "seconds_taken",
            "created_at",
        ),
        KEEP,
    ),
    "rankings": dict.fromkeys(("id", "participant_id", "run_id", "ranking", "created_at"), KEEP),
    "critiques": {
        **dict.fromkeys(("id", "participant_id", "candidate_id", "created_at"), KEEP),
        "text": FREE_TEXT,
    },
    "events": {**dict.fromkeys(("id", "session_id", "at", "kind"), KEEP), "payload": FREE_TEXT},
}
_DROPPED_TEXT = {"opinions": "", "critiques": "", "rejected_samples": "", "events": "{}"}


_LETTER = r"[^\W\d_]"  # a name ends where letters end: "zelda's", "(Zelda)", "2zelda" match
# a title before a name goes with it: "Herr Groß" -> the label, not "Herr participant-…"
_TITLES = r"(?:(?:herr|frau|mr|mrs|ms|miss|mx|dr|prof|mme|mlle|sr|sra)\.?\s+)?"
# apostrophes made straight, and the letters NFKD does not take apart (Ł is not L + a mark)
_FOLD_TABLE = str.maketrans(
    dict(zip("’‘ʼ`´łŁøØđĐħĦıðÐ", "'''''lLoOdDhHidD", strict=True))
    | {"æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th"}
)


def anonymous_label(participant_uuid: str) -> str:
    return f"participant-{participant_uuid[:8]}"


def fold(text: str) -> str:
    """A name as compared: accents dropped (decomposed or not: "Zoë" = "Zoe\u0308" = "zoe"),
    letters with strokes plain ("Łukasz" = "lukasz"), case folded ("Groß" = "gross"), curly
    apostrophes straight ("O’Brien" = "o'brien")."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_TABLE))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _folded_with_origin(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for each of its characters, the index of the character it came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        piece = fold(ch)
        out.append(piece)
        origin.extend([i] * len(piece))
    return "".join(out), origin


class NameScrubber:
    """Replaces participants' names in any text: whole pseudonyms and each of their words (a first
    name alone, "zelda's", "Zeldas"), with a title before them, in any case, accent, Unicode form
    or apostrophe, by the participant's anonymous label. The one scrubber of the anonymised export
    and the anonymised report."""

    def __init__(self, participants: list[dict[str, Any]]) -> None:
        labels: dict[str, str] = {}
        for p in participants:
            label = anonymous_label(str(p["uuid"]))
            name = fold(str(p["pseudonym"]))
            words = [w for w in re.split(r"[\s\-.,;:/]+", name) if len(w) >= 2]
            spelt = {v for v in (name, *words) if v.strip()}
            # "O'Brien" is also written "O Brien" and "OBrien"
            spelt |= {v.replace("'", sep) for v in spelt if "'" in v for sep in ("", " ")}
            for key in spelt:
                # a word two names share becomes "a participant"
                labels[key] = label if labels.get(key, label) == label else "a participant"
        self.labels = labels
        names = sorted(labels, key=len, reverse=True)
        self.pattern = (
            re.compile(
                rf"(?<!{_LETTER}){_TITLES}({'|'.join(map(re.escape, names))})s?(?!{_LETTER})"
            )
            if names
            else None
        )

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str) or self.pattern is None:
            return value
        folded, origin = _folded_with_origin(value)
        parts: list[str] = []
        at = 0
        for m in self.pattern.finditer(folded):
            start, end = origin[m.start()], origin[m.end() - 1] + 1
            while end < len(value) and not fold(value[end]):
                end += 1  # a combining accent after the name's last letter goes with it
            if start < at:
                continue
            parts.extend((value[at:start], self.labels[m.group(1)]))
            at = end
        parts.append(value[at:])
        return "".join(parts)


def anonymise_session(
    src: sqlite_utils.Database,
    session_id: int,
    target: Path,
    keep_text: bool = True,
    force: bool = False,
) -> Path:
    """Write an anonymised copy of one session: participants appear as stable random ids (from
    their uuids) and their names are replaced wherever they occur.

    With ``keep_text=False`` opinions, critiques and event payloads are dropped as well (free text
    can name people no pseudonym reveals); statements written by the model are kept.
    The file is built in memory and written whole under a temporary name, then renamed: no file
    under ``target`` ever holds anything that is not anonymised.
    """
    target = check_destination(target, force)
    rows = session_rows(src, session_id)
    scrub = NameScrubber(rows["participants"])
    session_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, "anonymised:" + rows["sessions"][0]["uuid"]))
    out = memory_database()
    try:
        new_ids: dict[str, dict[int, int]] = {}
        with transaction(out.conn):
            for table, fks in SESSION_TABLES:
                allowed = ANONYMISED_COLUMNS[table]
                new_ids[table] = {r["id"]: i for i, r in enumerate(rows[table], 1)}
                batch: list[tuple[Any, ...]] = []
                for row in rows[table]:
                    values: dict[str, Any] = {}
                    for col, rule in allowed.items():
                        value = row.get(col)
                        if col == "id":
                            value = new_ids[table][row["id"]]
                        elif col in fks and value is not None:
                            value = new_ids[fks[col]].get(value)
                        elif rule == PSEUDONYM:
                            value = anonymous_label(str(row["uuid"]))
                        elif rule == SESSION_NAME:
                            value = "anonymised session"
                        elif rule == SESSION_UUID:
                            value = session_uuid
                        elif rule == FREE_TEXT and not keep_text:
                            value = _DROPPED_TEXT[table]
                        values[col] = scrub(value)
                    batch.append(tuple(values.values()))
                cols = ",".join(f"[{c}]" for c in allowed)
                marks = ",".join("?" * len(allowed))
                out.conn.executemany(f"INSERT INTO [{table}] ({cols}) VALUES ({marks})", batch)
            meta = {
                "kind": "session-export",
                "schema_version": str(SCHEMA_VERSION),
                "app_version": __version__,
                "exported_at": now(),
                "session_uuid": session_uuid,
                "anonymised": "text kept" if keep_text else "text dropped",
            }
            for key, value in meta.items():
                out.table("meta").upsert({"key": key, "value": value}, pk="key")
        return write_database(out, target)
    finally:
        out.conn.close()


def _epoch_ms(iso: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(iso).timestamp() * 1000)


CSV_FILES = ("comments.csv", "votes.csv", "ratings.csv")


def check_csv_destinations(out_dir: Path, force: bool = False) -> None:
    """Refuse before writing any CSV file if one of them exists (unless ``force``)."""
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise SessionFileError(
            f"{out_dir} is a file, not a folder; give a folder for the CSV files."
        )
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    for name in CSV_FILES:
        check_destination(Path(out_dir) / name, force)


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    buffer = io.StringIO(newline="")
    w = csv.writer(buffer)
    w.writerow(header)
    w.writerows(rows)
    write_text(path, buffer.getvalue())


def polis_csv(
    src: sqlite_utils.Database, session_id: int, out_dir: Path, force: bool = False
) -> tuple[Path, Path]:
    """``comments.csv`` and ``votes.csv`` in Polis's column names (agree 1, disagree -1, pass 0).

    Comments are the participants' opinions (authored by them) and the model's candidates that
    were rated (author-id -1, the model mediator). Votes are the room's ratings of candidates.
    """
    rows = session_rows(src, session_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in CSV_FILES[:2]:
        check_destination(out_dir / name, force)
    voter = {p["id"]: i for i, p in enumerate(rows["participants"])}
    rated = {r["candidate_id"] for r in rows["ratings"]}
    original = model_originals(src, session_id)
    comments: list[dict[str, Any]] = []
    comment_id: dict[tuple[str, int], int] = {}
    current = [o for q in rows["questions"] for o in current_opinions(src, q["id"])]
    for o in sorted(current, key=lambda o: o["id"]):
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
                    "original": original.get(c["id"], ""),
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
    comment_rows = []
    for i, c in enumerate(comments):
        mine = [v for v in votes if v["comment"] == i]
        agrees, disagrees = sum(v["vote"] == 1 for v in mine), sum(v["vote"] == -1 for v in mine)
        comment_rows.append([_epoch_ms(c["at"]), c["at"], i, c["author"], agrees, disagrees, 1])
        comment_rows[-1] += [c["text"], c.get("original", "")]
    header = ["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees"]
    # reworded-from: the model's wording of a statement the facilitator reworded (not Polis's)
    _write_csv(comments_path, [*header, "moderated", "comment-body", "reworded-from"], comment_rows)
    _write_csv(
        votes_path,
        ["timestamp", "datetime", "comment-id", "voter-id", "vote"],
        [[_epoch_ms(v["at"]), v["at"], v["comment"], v["voter"], v["vote"]] for v in votes],
    )
    return comments_path, votes_path


def ratings_csv(
    src: sqlite_utils.Database, session_id: int, out_dir: Path, force: bool = False
) -> Path:
    """One row per rating, with the statement, the rater and the model's prediction beside it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = check_destination(out_dir / "ratings.csv", force)
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
    original = model_originals(src, session_id)
    for r in rows:
        r["model_original"] = original.get(r["candidate_id"], "")
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
        "model_original",  # the model's wording when the facilitator reworded the statement
    ]
    _write_csv(path, columns, [[r[c] for c in columns] for r in rows])
    return path
