"""`consensus-desktop score` and `consensus-desktop reward train`."""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from consensus_desktop import paths
from consensus_desktop.cli.common import resolve_model
from consensus_desktop.engine.batch_generate import Progress
from consensus_desktop.errors import InputError


def add_parsers(sub: Any) -> None:
    s = sub.add_parser(
        "score",
        help="predict agreement (1–7) for rows of question, opinion, statement",
        description='Input rows: {"id", "question", "opinion", "statement"} (JSON lines). Output '
        'rows: {"id", "agreement"}. Each distinct text is embedded once.',
    )
    s.add_argument("--in", dest="input", type=Path, required=True)
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--model", help="GGUF model (default: the bundled model)")
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
    t.add_argument("--out", type=Path, help="where to write the head (default: the app's data)")
    t.set_defaults(func=train_main)


def _read_rows(path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
            if not isinstance(row, dict) or "id" not in row:
                raise InputError(f'{path}:{n}: each row needs an "id"')
            rows.append(row)
    return rows


def score_main(args: argparse.Namespace) -> int:
    from consensus_desktop.engine.engine import Engine
    from consensus_desktop.reward.select import reward_for

    rows = _read_rows(args.input)
    engine = Engine(resolve_model(args.model))
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
    with args.out.open("w", encoding="utf-8") as fh:
        for row, a in zip(rows, agreement, strict=True):
            fh.write(json.dumps({"id": row["id"], "agreement": round(float(a), 4)}) + "\n")
    return 0


def train_main(args: argparse.Namespace) -> int:
    from consensus_desktop.reward.session_data import conversations_from_sessions
    from consensus_desktop.reward.train_cli import train_and_save

    out = args.out or (paths.data_dir() / "reward_heads" / "reward_head.npz")
    out.parent.mkdir(parents=True, exist_ok=True)
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
