"""The schema, as migrations recorded in the ``_migrations`` table.

Each migration is a function applied once, in order, inside one transaction. Never edit a released
migration: add a new one. A fixture file of each released version lives in tests/fixtures/ and the
tests upgrade it.

Scales and provenance names follow the Habermas Machine's public data where they fit: agreement
and quality on 1–7 Likert; ``human_citizen`` for what participants wrote, ``model_mediator`` for
what the model wrote.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[tuple[int, str, Migration]] = []


def migration(version: int, name: str) -> Callable[[Migration], Migration]:
    def register(fn: Migration) -> Migration:
        MIGRATIONS.append((version, name, fn))
        return fn

    return register


@migration(1, "initial schema")
def _v1(db: sqlite_utils.Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("sessions").create(
        {
            "id": int,
            "uuid": str,
            "name": str,
            "created_at": str,
            "updated_at": str,
            "settings": str,
            "origin": str,
        },
        pk="id",
        not_null={"uuid", "name", "created_at"},
    )
    db.table("sessions").create_index(["uuid"], unique=True)
    db.table("questions").create(
        {
            "id": int,
            "session_id": int,
            "position": int,
            "text": str,
            "position_statement": str,
            "library_id": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
        not_null={"session_id", "text"},
    )
    db.table("participants").create(
        {
            "id": int,
            "session_id": int,
            "uuid": str,
            "position": int,
            "pseudonym": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
        not_null={"session_id", "uuid", "pseudonym"},
    )
    db.table("baseline_ratings").create(
        {
            "id": int,
            "participant_id": int,
            "question_id": int,
            "rating": int,
            "seconds_taken": float,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("participant_id", "participants", "id"), ("question_id", "questions", "id")],
        not_null={"participant_id", "question_id", "rating"},
    )
    db.table("opinions").create(
        {
            "id": int,
            "participant_id": int,
            "question_id": int,
            "text": str,
            "provenance": str,
            "replaces_id": int,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[
            ("participant_id", "participants", "id"),
            ("question_id", "questions", "id"),
            ("replaces_id", "opinions", "id"),
        ],
        not_null={"participant_id", "question_id", "text"},
    )
    db.table("generation_runs").create(
        {
            "id": int,
            "session_id": int,
            "question_id": int,
            "round": int,
            "kind": str,
            "model_file": str,
            "model_sha256": str,
            "backend": str,
            "prompt_template": str,
            "sampling": str,
            "seeds": str,
            "n_requested": int,
            "n_found": int,
            "attempts": int,
            "tokens": int,
            "seconds": float,
            "shortened": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("session_id", "sessions", "id"), ("question_id", "questions", "id")],
        not_null={"session_id", "question_id"},
    )
    db.table("candidates").create(
        {
            "id": int,
            "run_id": int,
            "position": int,
            "text": str,
            "seed": int,
            "opinion_order": str,
            "n_tokens": int,
            "finish_reason": str,
            "provenance": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "generation_runs", "id")],
        not_null={"run_id", "text"},
    )
    db.table("predictions").create(
        {
            "id": int,
            "candidate_id": int,
            "participant_id": int,
            "agreement": float,
            "reward_version": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[
            ("candidate_id", "candidates", "id"),
            ("participant_id", "participants", "id"),
        ],
        not_null={"candidate_id", "participant_id", "agreement"},
    )
    db.table("selections").create(
        {
            "id": int,
            "session_id": int,
            "question_id": int,
            "candidate_id": int,
            "method": str,
            "alpha": float,
            "chosen_by": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[
            ("session_id", "sessions", "id"),
            ("question_id", "questions", "id"),
            ("candidate_id", "candidates", "id"),
        ],
        not_null={"session_id", "candidate_id", "method"},
    )
    db.table("ratings").create(
        {
            "id": int,
            "candidate_id": int,
            "participant_id": int,
            "agreement": int,
            "quality": int,
            "seconds_taken": float,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[
            ("candidate_id", "candidates", "id"),
            ("participant_id", "participants", "id"),
        ],
        not_null={"candidate_id", "participant_id"},
    )
    db.table("rankings").create(
        {"id": int, "participant_id": int, "run_id": int, "ranking": str, "created_at": str},
        pk="id",
        foreign_keys=[
            ("participant_id", "participants", "id"),
            ("run_id", "generation_runs", "id"),
        ],
        not_null={"participant_id", "run_id", "ranking"},
    )
    db.table("critiques").create(
        {"id": int, "participant_id": int, "candidate_id": int, "text": str, "created_at": str},
        pk="id",
        foreign_keys=[
            ("participant_id", "participants", "id"),
            ("candidate_id", "candidates", "id"),
        ],
        not_null={"participant_id", "candidate_id"},
    )
    db.table("events").create(
        {"id": int, "session_id": int, "at": str, "kind": str, "payload": str},
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
        not_null={"kind", "at"},
    )
    for table, col in [
        ("questions", "session_id"),
        ("participants", "session_id"),
        ("opinions", "participant_id"),
        ("generation_runs", "session_id"),
        ("candidates", "run_id"),
        ("predictions", "candidate_id"),
        ("ratings", "candidate_id"),
        ("events", "session_id"),
    ]:
        db.table(table).create_index([col])


@migration(2, "resume step on sessions; append-only event log")
def _v2(db: sqlite_utils.Database) -> None:
    # Where the facilitator was, so reopening the app resumes the session at that step.
    db.table("sessions").add_column("current_step", str)
    db.execute(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
        "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
        "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
    )


@migration(3, "candidates edited by the facilitator record the candidate they replace")
def _v3(db: sqlite_utils.Database) -> None:
    db.table("candidates").add_column("replaces_id", int)


@migration(4, "rejected samples; shortlist and folded near-duplicates on candidates")
def _v4(db: sqlite_utils.Database) -> None:
    # Every drawn sample that did not become a candidate, with the reason shown to the facilitator.
    db.table("rejected_samples").create(
        {"id": int, "run_id": int, "text": str, "reason": str, "seed": int, "created_at": str},
        pk="id",
        foreign_keys=[("run_id", "generation_runs", "id")],
        not_null={"run_id", "text", "reason"},
    )
    db.table("rejected_samples").create_index(["run_id"])
    # Place in the shortlist the room rates (0 first; NULL when not shortlisted), the number of
    # near-duplicates folded into the candidate, and the shortlist rule of the run.
    db.table("candidates").add_column("shortlist_rank", int)
    db.table("candidates").add_column("folded", int)
    db.table("generation_runs").add_column("shortlist_rule", str)


@migration(5, "the welfare alpha each generation run ranked its candidates with")
def _v5(db: sqlite_utils.Database) -> None:
    # A number, or "inf" for the Rawlsian end (as on selections); NULL on runs from before.
    db.table("generation_runs").add_column("alpha", float)


SCHEMA_VERSION = max(v for v, _, _ in MIGRATIONS)

# Tables of one session, parents before children, with their foreign keys: what export, import,
# merge and deletion walk. (table, {column: parent table})
SESSION_TABLES: list[tuple[str, dict[str, str]]] = [
    ("sessions", {}),
    ("questions", {"session_id": "sessions"}),
    ("participants", {"session_id": "sessions"}),
    ("baseline_ratings", {"participant_id": "participants", "question_id": "questions"}),
    (
        "opinions",
        {"participant_id": "participants", "question_id": "questions", "replaces_id": "opinions"},
    ),
    ("generation_runs", {"session_id": "sessions", "question_id": "questions"}),
    ("candidates", {"run_id": "generation_runs", "replaces_id": "candidates"}),
    ("rejected_samples", {"run_id": "generation_runs"}),
    ("predictions", {"candidate_id": "candidates", "participant_id": "participants"}),
    (
        "selections",
        {"session_id": "sessions", "question_id": "questions", "candidate_id": "candidates"},
    ),
    ("ratings", {"candidate_id": "candidates", "participant_id": "participants"}),
    ("rankings", {"participant_id": "participants", "run_id": "generation_runs"}),
    ("critiques", {"participant_id": "participants", "candidate_id": "candidates"}),
    ("events", {"session_id": "sessions"}),
]
