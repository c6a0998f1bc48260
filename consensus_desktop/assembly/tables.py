"""Reading the tables' session files: each table's question, chosen statement and members.

A table file is what `session export` (or the app's *Export session file…*) writes for one table.
Every check that can refuse a set of files runs here, before anything is written anywhere, and
each refusal is one sentence that names the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from consensus_desktop.errors import InputError
from consensus_desktop.session.values import CandidateView, Scores, Settings
from consensus_desktop.store.assembly_rows import (
    latest_choice,
    ratings_of,
    run_candidates,
    sessions_with_settings,
)
from consensus_desktop.store.database import SessionFileError
from consensus_desktop.store.foreign import read_session_file
from consensus_desktop.store.score_rows import score_matrices
from consensus_desktop.store.session_store import PLENARY_KIND, SessionStore


class AssemblyError(InputError):
    """A set of table files cannot make a plenary; the message names the file and says why."""


@dataclass(frozen=True)
class Member:
    uuid: str
    pseudonym: str
    opinion: str
    offset: float  # mean (rating - prediction) at the table, shrunk; 0 where they rated nothing
    statement_rating: int | None  # their rating of the table's chosen statement


@dataclass(frozen=True)
class Table:
    path: Path
    label: str
    assembly: str
    session_uuid: str
    session_name: str
    question: str
    statement: str
    members: tuple[Member, ...]

    @property
    def size(self) -> int:
        return len(self.members)

    def member_names(self) -> tuple[str, ...]:
        """Unique across the assembly: the table's label before each pseudonym."""
        return tuple(f"{self.label}/{m.pseudonym}" for m in self.members)


def read_table(path: Path) -> Table:
    """One table from its session file (opened read-only; the file is never changed)."""
    path = Path(path)
    try:
        db = read_session_file(path)
    except SessionFileError as exc:
        raise AssemblyError(str(exc)) from exc
    try:
        return _read(db, path)
    finally:
        db.conn.close()


def _read(db: sqlite_utils.Database, path: Path) -> Table:
    sessions = sessions_with_settings(db)
    if len(sessions) != 1:
        raise AssemblyError(
            f"{path.name} holds {len(sessions)} sessions; a table file holds one table's session "
            "(export it with `session export NAME FILE`)."
        )
    session = sessions[0]
    raw = session["settings"]
    if raw.get("kind") == PLENARY_KIND:
        raise AssemblyError(f"{path.name} is a plenary's file, not a table's.")
    settings = Settings.from_json(raw)
    sel = latest_choice(db, session["id"])
    if sel is None:
        raise AssemblyError(
            f"{path.name} has no chosen statement yet: finish the table's session up to the "
            "choice of a statement, then export it again."
        )
    store = SessionStore.over(db, path)
    opinions = store.current_opinions(sel["question_id"])
    people = [p for p in store.participants(session["id"]) if p["id"] in opinions]
    if not people:
        raise AssemblyError(f"{path.name} holds no participant's opinion on its question.")
    pids = [p["id"] for p in people]
    cids = [r["id"] for r in run_candidates(db, sel["run_id"])]
    predicted, rated = score_matrices(db, cids, pids)
    views = [CandidateView(c, "") for c in cids]
    offsets = Scores(views, predicted, rated, [p["pseudonym"] for p in people]).offsets
    ratings = ratings_of(db, sel["candidate_id"])
    members = tuple(
        Member(
            p["uuid"], p["pseudonym"], opinions[p["id"]]["text"], float(off), ratings.get(p["id"])
        )
        for p, off in zip(people, offsets, strict=True)
    )
    return Table(
        path=path,
        label=" ".join((settings.table_label or session["name"]).split()),
        assembly=" ".join(settings.assembly.split()),
        session_uuid=session["uuid"],
        session_name=session["name"],
        question=sel["question"],
        statement=sel["text"],
        members=members,
    )


def _same_question(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def read_tables(paths: list[Path]) -> list[Table]:
    """Every table, checked as a set: refused as a whole, with the first reason found."""
    if len(paths) < 2:
        raise AssemblyError("A plenary needs the files of at least two tables.")
    seen_paths: dict[Path, Path] = {}
    for p in paths:
        key = Path(p).resolve()
        if key in seen_paths:
            raise AssemblyError(f"{Path(p).name} is given twice: give each table's file once.")
        seen_paths[key] = Path(p)
    tables = [read_table(Path(p)) for p in paths]
    first = tables[0]
    by_uuid: dict[str, Table] = {}
    by_label: dict[str, Table] = {}
    for t in tables:
        if t.session_uuid in by_uuid:
            raise AssemblyError(
                f"{t.path.name} is the same table as {by_uuid[t.session_uuid].path.name} "
                f"(session {t.session_name!r}): give each table once."
            )
        by_uuid[t.session_uuid] = t
        if t.label.casefold() in by_label:
            raise AssemblyError(
                f"{t.path.name} and {by_label[t.label.casefold()].path.name} are both labelled "
                f"{t.label!r}: give each table its own label at set-up."
            )
        by_label[t.label.casefold()] = t
        if not _same_question(t.question, first.question):
            raise AssemblyError(
                f"{t.path.name} answers {t.question!r}, not {first.question!r} like "
                f"{first.path.name}: a plenary joins tables that discussed the same question."
            )
        if t.assembly and first.assembly and t.assembly != first.assembly:
            raise AssemblyError(
                f"{t.path.name} belongs to the assembly {t.assembly!r}, not {first.assembly!r} "
                f"like {first.path.name}."
            )
    return tables
