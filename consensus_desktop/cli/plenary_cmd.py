"""`consensus-desktop plenary`: one statement for an assembly, from its tables' session files."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from consensus_desktop.assembly.plenary import plenary_json, plenary_request, view_of
from consensus_desktop.assembly.record import record_plenary, refuse_taken_name
from consensus_desktop.assembly.tables import Table, read_tables
from consensus_desktop.cli.common import (
    add_generation_arguments,
    add_server_arguments,
    generation_settings,
    model_spec,
)
from consensus_desktop.engine.factory import open_backend
from consensus_desktop.engine.types import Candidate
from consensus_desktop.pipeline import RunResult, Stage, run
from consensus_desktop.reward.select import reward_for
from consensus_desktop.store.session_store import SessionStore


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "plenary",
        help="write plenary statements from several tables' session files",
        description="Read each table's session file (its chosen statement and its members' "
        "opinions and ratings), write N plenary candidates from the tables' statements, predict "
        "every member's agreement and rank by welfare over all of them. No network is used.",
    )
    p.add_argument("--tables", nargs="+", type=Path, required=True, metavar="FILE")
    add_generation_arguments(p)
    p.add_argument("--model", help="path to a GGUF model (default: the bundled model)")
    add_server_arguments(p)
    p.add_argument(
        "--session", help="record the tables and the plenary as sessions of the library database"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    settings = generation_settings(args)  # checked before any file is read
    tables = read_tables(list(args.tables))
    if args.session:
        store = SessionStore()
        try:
            refuse_taken_name(store, args.session)
        finally:
            store.close()
    request = plenary_request(tables, **settings)
    request.validate()  # every parameter and text is checked before the model loads
    engine = open_backend(
        model_spec(args.model, args.server, args.server_model, args.server_prompt)
    )
    reward = reward_for(engine)
    result: RunResult | None = None
    try:
        for event in run(engine, reward, request):
            if isinstance(event, RunResult):
                result = event
            elif args.json:
                continue
            elif isinstance(event, Stage):
                print(f"[{event.name}] {event.detail}".rstrip(), file=sys.stderr)
            elif isinstance(event, Candidate):
                print(f"  candidate: {event.text[:90]}", file=sys.stderr)
    finally:
        reward.close()
        engine.close()
    assert result is not None
    if args.session:
        store = SessionStore()
        try:
            record_plenary(store, args.session, tables, result)
        finally:
            store.close()
    if args.json:
        print(json.dumps(plenary_json(result, tables), ensure_ascii=False, indent=2))
    else:
        _print(result, tables)
    return 0


def _print(result: RunResult, tables: list[Table]) -> None:
    alpha = result.request.alpha
    people = sum(t.size for t in tables)
    print(f"Question: {result.request.question}")
    print(f"{len(tables)} tables, {people} people. Reward: {result.reward_version.label}.")
    label = "inf (Rawlsian)" if math.isinf(alpha) else f"{alpha:g}"
    print(f"Ranked by welfare over all {people} people, alpha = {label}.\n")
    for t in tables:
        rated = [m.statement_rating for m in t.members if m.statement_rating is not None]
        how = f"rated {sum(rated) / len(rated):.1f} by {len(rated)}" if rated else "not rated"
        print(f"  Table {t.label} ({t.size} people, {how}): {t.statement}")
    view = view_of(result, tables)
    names = result.request.rated_by()
    print(
        f"\n{'#':>2} {'W':>5} {'mean':>5} {'min':>5}  worst-off table   worst-off person  statement"
    )
    for i, c in enumerate(result.candidates):
        k, j = int(view.worst_table[i]), int(view.worst_person[i])
        table = f"{view.labels[k][:10]} {view.mean[i, k]:.2f}"
        person = f"{names[j][:11]} {c.agreement[j]:.2f}"
        print(
            f"{i + 1:>2} {c.welfare:5.2f} {c.mean:5.2f} {c.min:5.2f}  {table:<16}  {person:<16}  {c.text}"
        )
