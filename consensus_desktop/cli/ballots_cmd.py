"""`consensus-desktop ballots`: the plenary vote with one ballot file per table."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from consensus_desktop.assembly.ballots import (
    PlenaryResults,
    TableResult,
    export_ballots,
    import_ballots,
    results,
)
from consensus_desktop.errors import InputError
from consensus_desktop.store.session_store import SessionStore


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "ballots",
        help="the plenary vote: ballot files per table out, rated ballots back in, results",
        description="Export one ballot file per table of a plenary session (rate it on the "
        "table's laptop: Session -> Import, then the normal rating flow, then export), read the "
        "rated ballots back (again is harmless), and show the results.",
    )
    cmds = p.add_subparsers(dest="ballots_command", required=True)
    e = cmds.add_parser("export", help="one ballot file per table into FOLDER")
    e.add_argument("plenary", help="the plenary session's name or uuid")
    e.add_argument("folder", type=Path)
    e.add_argument("--k", type=int, default=4, help="statements on the ballot (default 4)")
    e.add_argument("--force", action="store_true", help="replace existing ballot files")
    e.set_defaults(func=_export)
    i = cmds.add_parser("import", help="read rated ballot files back into the plenary")
    i.add_argument("plenary")
    i.add_argument("files", nargs="+", type=Path)
    i.set_defaults(func=_import)
    r = cmds.add_parser("results", help="ratings per table and overall, agreement, Schulze")
    r.add_argument("plenary")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=_results)


def _with_store(args: argparse.Namespace, work: Any) -> int:
    store = SessionStore()
    try:
        return int(work(store, store.find_session(args.plenary)))
    finally:
        store.close()


def _export(args: argparse.Namespace) -> int:
    if args.k < 1:
        raise InputError("A ballot needs at least one statement (--k).")
    if not args.folder.is_dir():  # as every other output: no folder is made by surprise
        raise InputError(f"The folder {args.folder} does not exist; create it first.")

    def work(store: SessionStore, sid: int) -> int:
        for path in export_ballots(store, sid, args.folder, args.k, args.force):
            print(path)
        return 0

    return _with_store(args, work)


def _import(args: argparse.Namespace) -> int:
    def work(store: SessionStore, sid: int) -> int:
        for r in import_ballots(store, sid, list(args.files)):
            print(
                f"{r.file}: table {r.table}, {r.ratings_added} ratings and "
                f"{r.rankings_added} rankings added"
            )
        return 0

    return _with_store(args, work)


def _num(x: float) -> float | None:
    return None if math.isnan(x) else round(x, 4)


def _table_json(t: TableResult) -> dict[str, Any]:
    return {
        "label": t.label,
        "size": t.size,
        "ratings": {str(k): v for k, v in t.ratings.items()},
        "mean": _num(t.mean),
        "gia_before": _num(t.before.gia),
        "gia_after": _num(t.after.gia),
    }


def results_json(res: PlenaryResults) -> dict[str, Any]:
    return {
        "winner": res.winner,
        "schulze": None
        if res.schulze is None
        else [[res.candidates[c] for c in group] for group in res.schulze.tied],
        "tables": [_table_json(t) for t in res.tables],
        "overall": _table_json(res.overall),
    }


def _results(args: argparse.Namespace) -> int:
    def work(store: SessionStore, sid: int) -> int:
        res = results(store, sid)
        if args.json:
            print(json.dumps(results_json(res), ensure_ascii=False, indent=2))
            return 0
        print(f"Plenary statement (Schulze over all ballots): {res.winner}")
        for t in [*res.tables, res.overall]:
            counts = " ".join(f"{k}:{v}" for k, v in t.ratings.items())
            print(
                f"  {t.label:<12} {t.size:>3} people  mean {t.mean:.2f}  ratings {counts}  "
                f"group agreement {t.before.gia:.2f} -> {t.after.gia:.2f}"
            )
        return 0

    return _with_store(args, work)
