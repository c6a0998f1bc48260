"""Record pipeline runs into the store (shared by the CLI's `run --session` and the app)."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from consensus_desktop import paths
from consensus_desktop.pipeline import RunResult
from consensus_desktop.safe_files import write_text
from consensus_desktop.store.database import SessionFileError, storage_error_message
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.welfare.function import WelfareFunction


def store_run_result(
    store: SessionStore,
    session_id: int,
    question_id: int,
    participant_ids: Sequence[int],
    result: RunResult,
    round_: int = 0,
    kind: str = "initial",
    earlier_ids: Sequence[int | None] = (),
) -> tuple[int, list[int]]:
    """Save a run, its candidates (generation order) and predictions in one transaction; returns
    (run id, candidate ids). For a regeneration, ``earlier_ids`` are the candidate ids of
    ``result.request.earlier``: the shortlist was chosen over them too, so the round's earlier
    marks are replaced by this run's choice."""
    with store.transaction():
        run_id, cids = _store_run_result(
            store, session_id, question_id, participant_ids, result, round_, kind
        )
        if earlier_ids:
            _move_shortlist_marks(store, question_id, round_, run_id, result, earlier_ids)
        return run_id, cids


def _move_shortlist_marks(
    store: SessionStore,
    question_id: int,
    round_: int,
    run_id: int,
    result: RunResult,
    earlier_ids: Sequence[int | None],
) -> None:
    marks = [
        (rank, earlier_ids[i])
        for rank, i in result.shortlisted_earlier()
        if earlier_ids[i] is not None  # None: a statement no longer in the round
    ]
    store.move_shortlist_marks(question_id, round_, run_id, marks)


def _store_run_result(
    store: SessionStore,
    session_id: int,
    question_id: int,
    participant_ids: Sequence[int],
    result: RunResult,
    round_: int,
    kind: str,
) -> tuple[int, list[int]]:
    names = result.request.participant_names()
    rep = result.report
    run_id = store.add_generation_run(
        session_id,
        question_id,
        round=round_,
        kind=kind,
        model_file=result.model_file,
        model_sha256=result.model_sha256,
        backend=result.backend,
        prompt_template=result.plan.template,
        sampling=asdict(result.request.sampling),
        seeds=[c.seed for c in result.generated],
        n_requested=rep.requested,
        n_found=rep.found,
        attempts=rep.attempts,
        tokens=rep.tokens,
        seconds=rep.seconds,
        shortened=[names[i] for i in result.shortened],
        shortlist_rule=result.shortlist_rule,
        alpha=result.request.alpha,
    )
    sl = result.shortlist
    rank_of = {} if sl is None else {i: r for r, i in enumerate(sl.chosen)}
    cids = store.add_candidates(
        run_id,
        (
            {
                "text": c.text,
                "seed": c.seed,
                "opinion_order": list(c.order),
                "n_tokens": c.n_tokens,
                "finish_reason": c.finish_reason,
                "shortlist_rank": rank_of.get(i),
                "folded": 0 if sl is None else sl.folded_count(i),
            }
            for i, c in enumerate(result.generated)
        ),
    )
    store.add_rejected(run_id, [(r.text, r.reason, r.seed) for r in result.rejected])
    store.add_predictions(
        cids, list(participant_ids), result.agreement.tolist(), result.reward_version.as_dict()
    )
    return run_id, cids


def record_auto_choice(
    store: SessionStore, sid: int, qid: int, result: RunResult, cids: Sequence[int]
) -> None:
    """Choose the run's best candidate by its welfare function (no room to rate it)."""
    best = next(i for i, c in enumerate(result.generated) if c.text == result.candidates[0].text)
    alpha = result.request.alpha
    store.add_selection(sid, qid, cids[best], WelfareFunction(alpha).method(), alpha, "auto")


def record_run(
    session_name: str,
    result: RunResult,
    db_path: Path | None = None,
    assembly: str = "",
    table_label: str = "",
) -> int:
    """Create (or extend) the session ``session_name`` with this run, in one transaction: after a
    crash or an error the library holds the whole run or none of it. Returns the session id.
    ``assembly`` and ``table_label`` mark a new session as one table of an assembly."""
    store = SessionStore(db_path)
    try:
        with store.transaction():
            try:
                sid = store.find_session(session_name)
                if store.is_plenary(sid):
                    raise ValueError(
                        f"Session {session_name!r} is an assembly's plenary: a run of its own "
                        "would add new people to it. Use another session name, or `plenary`."
                    )
            except SessionFileError:
                settings = {"source": "cli run", "assembly": assembly, "table_label": table_label}
                sid = store.create_session(session_name, settings)
            request = result.request
            names = request.participant_names()
            existing = {p["pseudonym"]: p["id"] for p in store.participants(sid)}
            pids = [existing.get(n) or store.add_participant(sid, n) for n in names]
            qid = store.add_question(sid, request.question)
            for pid, opinion in zip(pids, request.opinions, strict=True):
                store.add_opinion(pid, qid, opinion)
            _, cids = store_run_result(store, sid, qid, pids, result)
            record_auto_choice(store, sid, qid, result, cids)
            store.set_step(sid, "results")
        return sid
    finally:
        store.close()


def record_or_recover(
    session_name: str,
    result: RunResult,
    db_path: Path | None = None,
    assembly: str = "",
    table_label: str = "",
) -> str | None:
    """Record the run; on a storage error keep it in a recovery JSON file and return one sentence
    saying what went wrong and where the run is (None when it was saved)."""
    library = Path(db_path) if db_path else paths.library_db_path()
    try:
        record_run(session_name, result, library, assembly, table_label)
        return None
    except (SessionFileError, sqlite3.Error, OSError) as exc:
        reason = storage_error_message(exc, library)
    except ValueError as exc:  # the session cannot take this run (a pseudonym clash …)
        reason = str(exc)
    recovery = write_recovery(session_name, result)
    where = f"it is kept in {recovery}" if recovery else "its candidates are printed above"
    return f"{reason} The run was not saved to session {session_name!r}; {where}."


def write_recovery(session_name: str, result: RunResult) -> Path | None:
    """The run as JSON, owner-only (it holds everyone's opinions), in the first folder that can
    take it (the app's data folder, the temp folder, the current folder); None if none could."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    payload = json.dumps(
        {"session": session_name, "recovered_at": stamp, "run": result.to_json()},
        ensure_ascii=False,
        indent=2,
    )
    for folder in (paths.data_dir() / "recovery", Path(tempfile.gettempdir()), Path.cwd()):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return write_text(folder / f"consensus-desktop-run-{stamp}.json", payload, private=True)
        except (OSError, SessionFileError):
            continue
    return None
