"""Recording a plenary in a library: the tables' sessions and the plenary session, all or nothing.

Everything is first written to a scratch library beside the target with the store's own calls
(import of the table files, a new session, the run); then every session of the scratch library is
copied into the target inside one transaction. A failure anywhere leaves the target as it was.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from consensus_desktop.assembly.tables import PLENARY_KIND, Table
from consensus_desktop.errors import InputError
from consensus_desktop.pipeline import RunResult
from consensus_desktop.store.database import open_database
from consensus_desktop.store.recording import store_run_result
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.store.transfer import copy_session, import_session_file


def plenary_settings(tables: Sequence[Table], assembly: str, alpha: float) -> dict[str, Any]:
    return {
        "kind": PLENARY_KIND,
        "assembly": assembly,
        "alpha": "inf" if math.isinf(alpha) else alpha,
        "tables": [
            {
                "label": t.label,
                "session_uuid": t.session_uuid,
                "file": t.path.name,
                "size": t.size,
                "statement": t.statement,
                "member_uuids": [m.uuid for m in t.members],
            }
            for t in tables
        ],
    }


def refuse_taken_name(library: Path, name: str) -> None:
    """Before any generation: a plenary gets a session of its own, never an existing one's."""
    if not library.exists():
        return
    store = SessionStore(library)
    try:
        taken = any(s.name == name for s in store.sessions())
    finally:
        store.close()
    if taken:
        raise InputError(f"A session named {name!r} already exists; give the plenary another name.")


def record_plenary(
    library: Path, name: str, tables: Sequence[Table], result: RunResult, assembly: str = ""
) -> str:
    """Import the tables and record the plenary run as a new session; returns its uuid."""
    library = Path(library)
    library.parent.mkdir(parents=True, exist_ok=True)
    scratch_path = library.with_name(f".{library.name}.plenary-scratch")
    for leftover in scratch_path.parent.glob(scratch_path.name + "*"):
        leftover.unlink()
    scratch = SessionStore(scratch_path)
    try:
        for t in tables:
            import_session_file(t.path, scratch.db)
        sid = scratch.create_session(name, plenary_settings(tables, assembly, result.request.alpha))
        qid = scratch.add_question(sid, result.request.question)
        pids = []
        for t in tables:
            for member, member_name in zip(t.members, t.member_names(), strict=True):
                pid = scratch.add_participant(sid, member_name)
                scratch.add_opinion(pid, qid, member.opinion)
                pids.append(pid)
        _, cids = store_run_result(scratch, sid, qid, pids, result, kind="plenary")
        best = next(
            i for i, c in enumerate(result.generated) if c.text == result.candidates[0].text
        )
        scratch.add_selection(sid, qid, cids[best], "isoelastic", result.request.alpha, "auto")
        scratch.set_step(sid, "plenary")
        plenary_uuid = str(scratch.db.table("sessions").get(sid)["uuid"])
        target = open_database(library)
        try:
            target.conn.execute("BEGIN IMMEDIATE")
            try:
                for row in scratch.db.query("SELECT id FROM sessions ORDER BY id"):
                    copy_session(scratch.db, row["id"], target)
                target.conn.execute("COMMIT")
            except BaseException:
                target.conn.execute("ROLLBACK")
                raise
        finally:
            target.conn.close()
        return plenary_uuid
    finally:
        scratch.close()
        for leftover in scratch_path.parent.glob(scratch_path.name + "*"):
            leftover.unlink()
