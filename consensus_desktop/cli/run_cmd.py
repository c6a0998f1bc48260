"""`consensus-desktop run`: the whole method on the command line."""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from consensus_desktop.cli.common import (
    add_generation_arguments,
    add_server_arguments,
    generation_settings,
    model_spec,
)
from consensus_desktop.engine.factory import open_backend
from consensus_desktop.engine.types import Candidate, Progress
from consensus_desktop.errors import InputError
from consensus_desktop.input_files import kind_of, read_json, text_field
from consensus_desktop.labels import label_problem
from consensus_desktop.pipeline import RunResult, Stage, run
from consensus_desktop.prompts import TEMPLATES
from consensus_desktop.reward.select import reward_for
from consensus_desktop.run_request import DEFAULT_TEMPLATE, RunRequest


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "run",
        help="generate candidates, predict agreement, rank by welfare",
        description="Run the method headless on a local model (no network is used), or on a "
        "model server with --server.",
    )
    p.add_argument("--question", help="the question put to the group")
    p.add_argument(
        "--opinion", action="append", default=[], help="one participant's opinion (repeat)"
    )
    p.add_argument(
        "--name", action="append", default=[], help="participant pseudonym (repeat, optional)"
    )
    p.add_argument(
        "--in",
        dest="input",
        type=Path,
        help='JSON file: {"question": …, "opinions": […]} or {"question": …, '
        '"position": …, "participants": [{"name": …, "opinion": …, "baseline": 1-7}]} '
        "(position: the statement each participant rated before writing; baseline: that rating)",
    )
    add_generation_arguments(p)
    p.add_argument(
        "--shortlist",
        type=int,
        default=4,
        metavar="K",
        help="statements the room would rate, chosen for welfare and difference (default 4)",
    )
    p.add_argument(
        "--orders",
        type=int,
        default=None,
        help="distinct opinion orders among the samples (default: one rotation per participant, "
        "so each participant's opinion opens some prompts; 1 = one shared prompt, fastest)",
    )
    p.add_argument("--template", choices=sorted(TEMPLATES), default=DEFAULT_TEMPLATE)
    p.add_argument("--model", help="path to a GGUF model (default: the bundled model)")
    p.add_argument(
        "--adapter",
        type=Path,
        metavar="ADAPTER.gguf",
        help="a LoRA adapter GGUF for the model (checked against it before loading; the model "
        "file is never modified)",
    )
    add_server_arguments(p)
    p.add_argument(
        "--gpu-layers",
        type=int,
        default=None,
        metavar="K",
        help="model layers to put on the GPU: -1 all, 0 none (default: all when llama.cpp was "
        "built with a GPU backend)",
    )
    p.add_argument("--session", help="record the run into this session of the library database")
    p.add_argument(
        "--assembly", default="", help="with --session: the assembly this table is part of"
    )
    p.add_argument(
        "--table",
        default="",
        help="with --session: this table's label in its assembly (default: the session name)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=main)


@dataclass(frozen=True)
class _Input:
    question: str
    opinions: list[str]
    names: list[str]
    position: str = ""
    baselines: tuple[float, ...] = ()


def _baselines(people: list[dict[str, Any]], path: Path) -> tuple[float, ...]:
    """One baseline rating (1-7) per participant, or none at all."""
    given = [p.get("baseline") for p in people]
    if all(b is None for b in given):
        return ()
    out = []
    for i, b in enumerate(given):
        where = f'{path}: participant {i + 1}, "baseline"'
        if b is None:
            raise InputError(f"{where} is missing: give a baseline rating for everyone, or none.")
        if isinstance(b, bool) or not isinstance(b, int | float) or not 1 <= b <= 7:
            raise InputError(f"{where} must be a number from 1 to 7, not {b!r}.")
        out.append(float(b))
    return tuple(out)


def _read_input(args: argparse.Namespace) -> _Input:
    question, opinions, names = args.question, list(args.opinion), list(args.name)
    position, baselines = "", tuple[float, ...]()
    if args.input:
        if opinions or names:  # never dropped without a word
            given = "--opinion" if opinions else "--name"
            raise InputError(
                f"Give the opinions either in --in {args.input} or with {given}, not both: "
                f"{args.input}'s opinions would replace the {given} ones."
            )
        question, opinions, names, position, baselines = read_run_file(args.input, question)
    if not question:
        raise InputError("Give a question (--question or --in FILE).")
    if len(opinions) < 1:
        raise InputError("Give at least one opinion (--opinion, repeated, or --in FILE).")
    return _Input(question, opinions, names, position, baselines)


def read_run_file(
    path: Path, question: str | None = None
) -> tuple[str, list[str], list[str], str, tuple[float, ...]]:
    """(question, opinions, names, position, baselines) from a ``--in`` file; every wrong shape is
    named."""
    data = read_json(path)
    if not isinstance(data, dict):
        raise InputError(
            f'{path} must hold one JSON object {{"question": …, "participants": […]}}, '
            f"not {kind_of(data)}."
        )
    if data.get("question") is not None:
        question = text_field(data["question"], f'{path}: "question"')
    position = ""
    if data.get("position") is not None:
        position = text_field(data["position"], f'{path}: "position"')
    baselines: tuple[float, ...] = ()
    if "participants" in data:
        people = _list_field(data["participants"], f'{path}: "participants"')
        names, opinions = [], []
        for i, person in enumerate(people):
            where = f"{path}: participant {i + 1}"
            if not isinstance(person, dict):
                raise InputError(
                    f'{where} must be an object {{"name": …, "opinion": …}}, not {kind_of(person)}.'
                )
            names.append(text_field(person.get("name", f"P{i + 1}"), f'{where}, "name"'))
            opinions.append(text_field(person.get("opinion", ""), f'{where}, "opinion"'))
        baselines = _baselines(people, path)
        if baselines and not position.strip():
            raise InputError(f'{path}: baseline ratings need the "position" statement they rate.')
    else:
        opinions = [
            text_field(o, f'{path}: "opinions" item {i + 1}')
            for i, o in enumerate(_list_field(data.get("opinions", []), f'{path}: "opinions"'))
        ]
        names = [
            text_field(n, f'{path}: "names" item {i + 1}')
            for i, n in enumerate(_list_field(data.get("names", []), f'{path}: "names"'))
        ]
    return question or "", opinions, names, position, baselines


def _list_field(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(f"{where} must be a list, not {kind_of(value)}.")
    return value


def main(args: argparse.Namespace) -> int:
    settings = generation_settings(args)
    given = _read_input(args)
    request = RunRequest(
        question=given.question,
        opinions=tuple(given.opinions),
        names=tuple(given.names),
        position=given.position,
        baselines=given.baselines,
        **settings,
        template=args.template,
        n_orders=args.orders,
        shortlist_k=args.shortlist,
    )
    request.validate()  # every parameter and text is checked before the model loads
    for flag, value in (
        ("--session", args.session),
        ("--assembly", args.assembly),
        ("--table", args.table),
    ):
        problem = label_problem(value or "")
        if problem:
            raise InputError(f"{flag} holds {problem}; type the name without it.")
    if (args.assembly or args.table) and not args.session:
        raise InputError("--assembly and --table mark a recorded table: give --session NAME too.")
    if args.gpu_layers is not None and args.gpu_layers < -1:
        raise InputError(
            "--gpu-layers takes -1 (every layer on the GPU), 0 (CPU only) or a number of layers."
        )
    if args.gpu_layers is not None and args.server:
        raise InputError("--gpu-layers is for a model on this machine, not for --server.")
    spec = model_spec(args.model, args.server, args.server_model, args.server_prompt)
    engine = open_backend(replace(spec, n_gpu_layers=args.gpu_layers, adapter=args.adapter))
    reward = reward_for(engine)
    quiet = args.json
    result: RunResult | None = None
    not_saved: str | None = None
    try:
        for event in run(engine, reward, request):
            if isinstance(event, RunResult):
                result = event
            elif quiet:
                continue
            elif isinstance(event, Stage):
                print(f"[{event.name}] {event.detail}".rstrip(), file=sys.stderr)
            elif isinstance(event, Candidate):
                print(f"  candidate: {event.text[:90]}", file=sys.stderr)
            elif isinstance(event, Progress):
                pass
        assert result is not None
        if args.session:
            from consensus_desktop.session.recording import record_or_recover

            not_saved = record_or_recover(
                args.session, result, assembly=args.assembly, table_label=args.table
            )
    finally:
        reward.close()
        engine.close()
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_table(result)
    if not_saved:  # the candidates are printed above and kept in a recovery file
        print(f"consensus-desktop: error: {not_saved}", file=sys.stderr)
        return 2
    return 0


def _print_table(result: RunResult) -> None:
    names = result.request.participant_names()
    alpha = result.request.alpha
    label = "inf (Rawlsian)" if math.isinf(alpha) else f"{alpha:g}"
    print(f"Model: {result.model_file} ({result.backend})   prompt: {result.plan.template}")
    print(f"Reward: {result.reward_version.label}. {result.reward_version.validation}")
    rep = result.report
    print(
        f"Generated {rep.found}/{rep.requested} candidates in {rep.attempts} samples, "
        f"{rep.seconds:.1f} s ({rep.tokens_per_second:.0f} tokens/s). Ranked by W_alpha, alpha = {label}."
    )
    for line in result.describe_changes():
        print(f"Opinion changed before the model read it: {line}")
    header = "  ".join(f"{n[:6]:>6}" for n in names)
    shortlisted = set(result.shortlist_ranked())
    print(f"\n{'#':>3} {'W':>5} {'mean':>5} {'min':>5}  {header}  statement")
    for i, c in enumerate(result.candidates, 1):
        cells = "  ".join(f"{a:6.2f}" for a in c.agreement)
        mark = "*" if i - 1 in shortlisted else " "
        folded = f" (+{c.folded} near-duplicates folded in)" if c.folded else ""
        print(
            f"{mark}{i:>2} {c.welfare:5.2f} {c.mean:5.2f} {c.min:5.2f}  {cells}  {c.text}{folded}"
        )
    print(f"\n* shortlist ({len(shortlisted)}): {result.shortlist_rule}")
    for r in result.rejected:
        print(f"rejected ({r.reason}): {r.text}")
    to = result.tradeoff
    if to is not None:
        print(
            f"\nUtilitarian winner: #{result.candidates_index(to.utilitarian_winner) + 1}; "
            f"Rawlsian winner: #{result.candidates_index(to.rawlsian_winner) + 1}; "
            f"price of fairness: {to.price_of_fairness:.2f} points of mean agreement."
        )
