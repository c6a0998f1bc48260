"""The plenary vote: one ballot file per table, rated there in the normal rating flow, read back.

A ballot file is an ordinary session file: one session whose participants are the table's members
(their own pseudonyms), whose one run holds the plenary shortlist (with each member's predicted
agreement, so the app orders it as usual), and which resumes at the rating step. Nothing else of
the plenary travels: no other table's names, no opinions. Reading a ballot back maps its ratings
and rankings onto the plenary's members and candidates (by pseudonym and text); reading the same
ballot again adds nothing, and a ballot of another plenary is refused.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from consensus_desktop.assembly.tables import AssemblyError
from consensus_desktop.session.facilitation import Facilitation
from consensus_desktop.session.values import Settings
from consensus_desktop.store.assembly_rows import (
    ballot_rows,
    insert_once,
    run_candidates,
    sessions_with_settings,
)
from consensus_desktop.store.database import SessionFileError
from consensus_desktop.store.foreign import read_session_file
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.store.transfer import export_session
from consensus_desktop.welfare.group_metrics import Agreement, group_internal_agreement
from consensus_desktop.welfare.schulze import SchulzeResult, ballots_from_scores, schulze

BALLOT_KIND = "plenary-ballot"


class Plenary:
    """A plenary session of a library: its tables (from its settings), members and shortlist."""

    def __init__(self, store: SessionStore, session_id: int) -> None:
        self.store, self.session_id = store, session_id
        self.flow = Facilitation(store, session_id)
        row = self.flow.row
        self.settings: dict[str, Any] = json.loads(row["settings"] or "{}")
        if self.settings.get("kind") != "plenary":
            raise AssemblyError(f"The session {row['name']!r} is not a plenary.")
        self.uuid, self.name = str(row["uuid"]), str(row["name"])

    @property
    def tables(self) -> list[dict[str, Any]]:
        return list(self.settings["tables"])

    def members(self, label: str) -> list[dict[str, Any]]:
        """The plenary participants of table ``label`` ("label/pseudonym"), in table order."""
        prefix = f"{label}/"
        return [p for p in self.flow.participants if p["pseudonym"].startswith(prefix)]

    def shortlist(self, k: int) -> list[tuple[int, str]]:
        return [(c.id, c.text) for c in self.flow.shortlist(k, float(self.flow.settings.alpha))]


def export_ballots(
    store: SessionStore, plenary_id: int, folder: Path, k: int = 4, force: bool = False
) -> list[Path]:
    """One ballot file per table in ``folder`` (``ballot-<label>.sqlite``), the plenary's best
    ``k`` candidates on each; an existing file is refused unless ``force``. Returns the paths."""
    plenary = Plenary(store, plenary_id)
    shortlist = plenary.shortlist(k)
    predicted = plenary.flow.scores()
    column = {name: j for j, name in enumerate(predicted.names)}
    row_of = {c.id: i for i, c in enumerate(predicted.candidates)}
    folder = Path(folder)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        scratch = SessionStore(Path(tmp) / "ballots.sqlite")
        try:
            for table in plenary.tables:
                label = table["label"]
                members = plenary.members(label)
                settings = Settings(shortlist_k=len(shortlist), table_label=label).to_json()
                settings.update(
                    kind=BALLOT_KIND,
                    plenary_uuid=plenary.uuid,
                    plenary_name=plenary.name,
                    assembly=plenary.settings.get("assembly", ""),
                )
                with scratch.transaction():
                    sid = scratch.create_session(f"{plenary.name} · ballot {label}", settings)
                    qid = scratch.add_question(sid, plenary.flow.question["text"])
                    pids = [
                        scratch.add_participant(sid, m["pseudonym"].removeprefix(f"{label}/"))
                        for m in members
                    ]
                    run_id = scratch.add_generation_run(sid, qid, round=0, kind=BALLOT_KIND)
                    cids = scratch.add_candidates(run_id, ({"text": t} for _, t in shortlist))
                    agreement = [
                        [predicted.predicted[row_of[c], column[m["pseudonym"]]] for m in members]
                        for c, _ in shortlist
                    ]
                    scratch.add_predictions(cids, pids, agreement, {"method": "plenary"})
                    scratch.set_step(sid, "rating")
                target = folder / f"ballot-{_safe(label)}.sqlite"
                export_session(scratch.db, sid, target, force=force)
                written.append(target)
        finally:
            scratch.close()
    store.log_event(plenary_id, "ballots_exported", {"files": [p.name for p in written]})
    return written


def _safe(label: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in label).strip("-") or "table"


@dataclass(frozen=True)
class BallotImport:
    file: str
    table: str
    ratings_added: int
    rankings_added: int


def import_ballots(store: SessionStore, plenary_id: int, paths: list[Path]) -> list[BallotImport]:
    """Read rated ballot files back into the plenary, all of them or (on any refusal) none."""
    plenary = Plenary(store, plenary_id)
    run_id = plenary.flow.latest_run_id()
    cand_id = {r["text"]: r["id"] for r in run_candidates(store.db, run_id)}
    pid_of = {p["pseudonym"]: p["id"] for p in plenary.flow.participants}
    labels = {t["label"] for t in plenary.tables}
    out = []
    with store.transaction():
        for path in map(Path, paths):
            ballot = _read_ballot(path, plenary, labels)
            label = ballot["label"]
            ratings, rankings = 0, 0
            for r in ballot["ratings"]:
                pid, cid = pid_of.get(f"{label}/{r['pseudonym']}"), cand_id.get(r["text"])
                if pid is None or cid is None:
                    raise AssemblyError(
                        f"{path.name} names a member or statement this plenary does not have."
                    )
                row = {"candidate_id": cid, "participant_id": pid, **r["values"]}
                ratings += insert_once(store, "ratings", row)
            for r in ballot["rankings"]:
                pid = pid_of.get(f"{label}/{r['pseudonym']}")
                ranks = {str(cand_id[t]): v for t, v in r["ranks"].items() if t in cand_id}
                if pid is None or len(ranks) != len(r["ranks"]):
                    raise AssemblyError(f"{path.name} ranks statements this plenary does not have.")
                row = {
                    "participant_id": pid,
                    "run_id": run_id,
                    "ranking": json.dumps(ranks, sort_keys=True),
                    "created_at": r["created_at"],
                }
                rankings += insert_once(store, "rankings", row)
            store.log_event(
                plenary_id,
                "ballot_imported",
                {"file": path.name, "table": label, "ratings": ratings, "rankings": rankings},
            )
            out.append(BallotImport(path.name, label, ratings, rankings))
    return out


def _read_ballot(path: Path, plenary: Plenary, labels: set[str]) -> dict[str, Any]:
    try:
        db = read_session_file(path)
    except SessionFileError as exc:
        raise AssemblyError(str(exc)) from exc
    try:
        sessions = [(r["id"], r["settings"]) for r in sessions_with_settings(db)]
        found = [(sid, s) for sid, s in sessions if s.get("kind") == BALLOT_KIND]
        if not found:
            raise AssemblyError(f"{path.name} is not a plenary ballot file.")
        sid, settings = found[0]
        if settings.get("plenary_uuid") != plenary.uuid:
            other = settings.get("plenary_name", "another plenary")
            raise AssemblyError(
                f"{path.name} is a ballot of {other!r}, not of this plenary ({plenary.name!r})."
            )
        label = settings.get("table_label", "")
        if label not in labels:
            raise AssemblyError(f"{path.name} is for a table this plenary does not have.")
        rows = ballot_rows(db, sid)
        ratings = [
            {
                "pseudonym": r["pseudonym"],
                "text": r["text"],
                "values": {
                    k: r[k] for k in ("agreement", "quality", "seconds_taken", "created_at")
                },
            }
            for r in rows["ratings"]
        ]
        text_of = {str(r["id"]): r["text"] for r in rows["statements"]}
        rankings = [
            {
                "pseudonym": r["pseudonym"],
                "ranks": {text_of.get(c, ""): v for c, v in json.loads(r["ranking"]).items()},
                "created_at": r["created_at"],
            }
            for r in rows["rankings"]
        ]
        return {"label": label, "ratings": ratings, "rankings": rankings}
    finally:
        db.conn.close()


@dataclass(frozen=True)
class TableResult:
    label: str
    size: int
    ratings: dict[int, int]  # how many members gave 1 … 7 to the plenary's winner
    mean: float
    before: Agreement  # GIA of the members' ratings of their own table's statement
    after: Agreement  # GIA of their ratings of the plenary's winner


@dataclass(frozen=True)
class PlenaryResults:
    winner: str  # the Schulze winner (or the best rated, without rankings)
    schulze: SchulzeResult | None
    candidates: list[str]
    tables: list[TableResult]
    overall: TableResult


def _distribution(values: list[float]) -> dict[int, int]:
    return {v: sum(1 for x in values if x == v) for v in range(1, 8)}


def results(store: SessionStore, plenary_id: int) -> PlenaryResults:
    """Per table and overall: ratings of the winner, group agreement before -> after, Schulze."""
    plenary = Plenary(store, plenary_id)
    scores = plenary.flow.scores()
    rated = scores.rated
    texts = [c.text for c in scores.candidates]
    result = plenary.flow.schulze()
    if result is None and np.isfinite(rated).any():
        result = schulze(len(texts), ballots_from_scores(rated), seed=plenary_id)
    if result is None and not np.isfinite(rated).any():
        raise AssemblyError(
            f"No rated ballot of plenary {plenary.flow.row['name']!r} has been imported yet, so "
            "there is no result: rate the ballots at the tables, then `ballots import` them."
        )
    if result is not None:
        win = result.untied[0]
    else:
        win = int(np.argmax(np.nanmean(np.where(np.isfinite(rated), rated, np.nan), axis=1)))
    column = {name: j for j, name in enumerate(scores.names)}
    per_table = []
    all_before: list[float] = []
    all_after: list[float] = []
    for table in plenary.tables:
        cols = [column[m["pseudonym"]] for m in plenary.members(table["label"])]
        after = [float(x) for x in rated[win, cols] if np.isfinite(x)]
        before = [float(x) for x in table.get("statement_ratings", []) if x is not None]
        all_before += before
        all_after += after
        per_table.append(_table_result(table["label"], len(cols), before, after))
    return PlenaryResults(
        texts[win],
        result,
        texts,
        per_table,
        _table_result("all", len(scores.names), all_before, all_after),
    )


def _table_result(label: str, size: int, before: list[float], after: list[float]) -> TableResult:
    return TableResult(
        label,
        size,
        _distribution(after),
        float(np.mean(after)) if after else float("nan"),
        group_internal_agreement(before),
        group_internal_agreement(after),
    )
