"""`consensus-desktop score` and `consensus-desktop reward train`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from consensus_desktop import paths
from consensus_desktop.cli.common import add_server_arguments, model_spec
from consensus_desktop.engine.types import Progress
from consensus_desktop.errors import InputError
from consensus_desktop.input_files import kind_of, read_json_lines, text_field
from consensus_desktop.prompts import clean_participant_text


def add_parsers(sub: Any) -> None:
    s = sub.add_parser(
        "score",
        help="predict agreement (1–7) for rows of question, opinion, statement",
        description='Input rows: {"id", "question", "opinion", "statement"} (JSON lines, ids '
        'unique, opinion and statement not empty). Output rows: {"id", "agreement"}. Each distinct '
        "text is embedded once. Predictions are relative: the rows of one question are scored "
        "together and centred on the mean over all their opinion x statement pairs, so a row's "
        "score depends on the other rows of its question, and a question with a single opinion "
        "and a single statement always scores 4.0 (neutral).",
    )
    s.add_argument("--in", dest="input", type=Path, required=True)
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--force", action="store_true", help="replace --out if it exists")
    s.add_argument("--model", help="GGUF model (default: the bundled model)")
    add_server_arguments(s)
    s.add_argument("--head", type=Path, help="reward head .npz (default: the one for the model)")
    s.set_defaults(func=score_main)

    r = sub.add_parser("reward", help="reward model: train a head for a model")
    rs = r.add_subparsers(dest="reward_command", required=True)
    t = rs.add_parser("train", help="train a head from the Polis data (and session ratings)")
    t.add_argument("--polis", type=Path, required=True, help="folder of Polis conversations")
    t.add_argument(
        "--sessions",
        type=Path,
        nargs="*",
        default=[],
        help="session files whose ratings are added to the training data",
    )
    t.add_argument("--model", help="GGUF model to train for (default: the bundled model)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument(
        "--out",
        type=Path,
        help="where to write the head .npz and its .json card (default: the app's data)",
    )
    t.add_argument(
        "--force",
        action="store_true",
        help="replace an existing head (with --sessions: only if the new one validates no worse)",
    )
    t.set_defaults(func=train_main)


def _read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a score input file; a wrong row is named by its line and field."""
    rows: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    for number, row in read_json_lines(path):
        where = f"{path}, line {number}"
        if not isinstance(row, dict):
            raise InputError(
                f'{where}: each row must be a JSON object with "id", "question", "opinion" and '
                f'"statement", not {kind_of(row)}.'
            )
        if "id" not in row:
            raise InputError(f'{where}: the row has no "id".')
        if isinstance(row["id"], bool) or not isinstance(row["id"], str | int):
            raise InputError(
                f'{where}: "id" must be text or a whole number, not {kind_of(row["id"])}.'
            )
        key = json.dumps(row["id"], sort_keys=True)
        if key in first_line:
            raise InputError(
                f"{where}: the id {row['id']!r} is already used on line {first_line[key]}; "
                "ids must be unique."
            )
        first_line[key] = number
        text_field(row.get("question", ""), f'{where}, "question"')
        for field in ("opinion", "statement"):
            if not clean_participant_text(
                text_field(row.get(field, ""), f'{where}, "{field}"')
            ).text:
                raise InputError(f'{where}: "{field}" is missing or empty.')
        rows.append(row)
    if not rows:
        raise InputError(f"{path} has no rows to score.")
    return rows


def _check_out(out: Path, source: Path, force: bool) -> None:
    """Refuse an output path that cannot be written, before any model work: the rule of every
    output (safe_files.check_destination: no overwrite without --force, never the library), and
    never the input it reads."""
    from consensus_desktop.safe_files import DestinationRefused, check_destination

    if out.is_dir():
        raise InputError(
            f"--out {out} is a folder; give a file name such as {out / 'scores.jsonl'}."
        )
    if out.exists() and os.path.samefile(out, source):
        raise InputError(f"--out {out} is the --in file; choose another name for the scores.")
    if not out.parent.is_dir():
        raise InputError(f"--out {out}: the folder {out.parent} does not exist.")
    if not os.access(out.parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise InputError(f"--out {out} cannot be written: permission denied.")
    try:
        check_destination(out, force)
    except DestinationRefused as exc:
        raise InputError(f"--out: {exc}") from exc


def score_main(args: argparse.Namespace) -> int:
    from consensus_desktop.engine.factory import open_backend
    from consensus_desktop.reward.select import reward_for

    rows = _read_rows(args.input)
    _check_out(args.out, args.input, args.force)
    if args.head is not None:  # before the model loads
        from consensus_desktop.reward.head import RewardHead

        RewardHead.load(args.head)
    engine = open_backend(
        model_spec(args.model, args.server, args.server_model, args.server_prompt)
    )
    try:
        reward = reward_for(engine, args.head)
        print(
            f"reward model: {reward.version.label} ({reward.version.validation})", file=sys.stderr
        )
        # one group per question: each distinct opinion and statement is embedded once
        groups: dict[str, list[int]] = defaultdict(list)
        for i, row in enumerate(rows):
            groups[str(row.get("question", ""))].append(i)
        agreement = np.full(len(rows), np.nan)
        done = 0
        for question, idx in groups.items():
            ops = sorted({str(rows[i].get("opinion", "")) for i in idx})
            sts = sorted({str(rows[i].get("statement", "")) for i in idx})
            matrix = None
            for event in reward.predict(question, ops, sts):
                if isinstance(event, Progress):
                    print(
                        f"\r{done + event.tokens_done * len(idx) // max(event.token_budget, 1)}"
                        f"/{len(rows)} rows",
                        end="",
                        file=sys.stderr,
                    )
                else:
                    matrix = event
            assert matrix is not None
            o_at = {o: j for j, o in enumerate(ops)}
            s_at = {s: j for j, s in enumerate(sts)}
            for i in idx:
                agreement[i] = matrix[
                    s_at[str(rows[i].get("statement", ""))], o_at[str(rows[i].get("opinion", ""))]
                ]
            done += len(idx)
        reward.close()
    finally:
        engine.close()
    print(f"\r{len(rows)}/{len(rows)} rows", file=sys.stderr)
    from consensus_desktop.safe_files import write_text

    write_text(  # temporary name, fsync, rename: a crash never leaves half a file
        args.out,
        "".join(
            json.dumps({"id": row["id"], "agreement": round(float(a), 4)}) + "\n"
            for row, a in zip(rows, agreement, strict=True)
        ),
    )
    return 0


def train_main(args: argparse.Namespace) -> int:
    from consensus_desktop.reward.head import card_path_of
    from consensus_desktop.reward.session_data import conversations_from_sessions
    from consensus_desktop.reward.train_cli import train_and_save
    from consensus_desktop.safe_files import check_destination

    out = args.out
    if out is None:
        out = paths.ensure_dir(paths.data_dir() / "reward_heads") / "reward_head.npz"
    for target in (out, card_path_of(out)):  # refused before any model work
        check_destination(target, args.force)
    extra = conversations_from_sessions(args.sessions)
    return train_and_save(
        args.polis,
        out,
        args.model,
        args.seed,
        1.0,
        extra,
        lambda m: print(m, file=sys.stderr),
        only_if_better_than=out if args.sessions else None,
    )
