"""Recording a plenary in a library: the tables' sessions and the plenary session, all or nothing.

The table files are imported with the store's own import (read-only, schema-checked), the plenary
session is written with the store's own calls, all inside one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from consensus_desktop.assembly.tables import AssemblyError, Table
from consensus_desktop.pipeline import RunResult
from consensus_desktop.session.recording import record_auto_choice, store_run_result
from consensus_desktop.store.session_store import PLENARY_KIND, SessionStore
from consensus_desktop.store.transfer import import_session_file
from consensus_desktop.welfare.isoelastic import alpha_to_json


def plenary_settings(tables: Sequence[Table], assembly: str, alpha: float) -> dict[str, Any]:
    return {
        "kind": PLENARY_KIND,
        "assembly": assembly,
        "alpha": alpha_to_json(alpha),
        # the stored predictions are the reward's, shifted by each member's offset at their table
        "predictions": "shifted by each member's own offset from their table's ratings",
        "tables": [
            {
                "label": t.label,
                "session_uuid": t.session_uuid,
                "file": t.path.name,
                "size": t.size,
                "statement": t.statement,
                "member_uuids": [m.uuid for m in t.members],
                "statement_ratings": [m.statement_rating for m in t.members],
            }
            for t in tables
        ],
    }


def refuse_taken_name(store: SessionStore, name: str) -> None:
    """Before any generation: a plenary gets a session of its own, never an existing one's."""
    if any(s.name == " ".join(name.split()) for s in store.sessions()):
        raise AssemblyError(
            f"A session named {name!r} already exists; give the plenary another name."
        )


def record_plenary(
    store: SessionStore, name: str, tables: Sequence[Table], result: RunResult, assembly: str = ""
) -> int:
    """Import the tables and record the plenary run as a new session, in one transaction: the
    library gets all of it or, on any error, nothing. Returns the plenary session's id."""
    refuse_taken_name(store, name)
    with store.transaction():
        for t in tables:
            import_session_file(t.path, store.db)
        settings = plenary_settings(tables, assembly, result.request.alpha)
        sid = store.create_session(name, settings)
        qid = store.add_question(sid, result.request.question)
        pids = []
        for t in tables:
            for member, member_name in zip(t.members, t.member_names(), strict=True):
                pid = store.add_participant(sid, member_name)
                store.add_opinion(pid, qid, member.opinion)
                pids.append(pid)
        _, cids = store_run_result(store, sid, qid, pids, result, kind="plenary")
        record_auto_choice(store, sid, qid, result, cids)
        store.set_step(sid, "plenary")
    return sid
