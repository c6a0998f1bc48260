"""`consensus-desktop sft data`: the fine-tuning set from real endorsement."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    s = sub.add_parser("sft", help="fine-tune the generator on statements people endorsed")
    ss = s.add_subparsers(dest="sft_command", required=True)
    d = ss.add_parser(
        "data",
        help="build the training set from Polis conversations and session files",
        description="Targets are only what people endorsed: Polis comments with high agreement "
        "across opinion groups (training conversations only; the scoop-hivemind validation "
        "conversations are never read) and the statement each room rated best in session files "
        "(with critique revisions rated higher than what they revised). Inputs are in the app's "
        "prompt template. Output: JSON lines {source, template, prompt, completion, origin, score}.",
    )
    d.add_argument("--polis", type=Path, required=True, help="folder of Polis conversations")
    d.add_argument("--sessions", type=Path, nargs="*", default=[], help="session files (.sqlite)")
    d.add_argument("--out", type=Path, required=True, help="the data set to write (.jsonl)")
    d.add_argument("--seed", type=int, default=0, help="opinion sampling and k-means seed")
    d.add_argument("--force", action="store_true", help="replace --out if it exists")
    d.set_defaults(func=data_main)


def data_main(args: argparse.Namespace) -> int:
    from consensus_desktop.sft.data import build_data_set, write_data_set
    from consensus_desktop.store.safe_files import check_destination

    check_destination(args.out, args.force)  # before the minutes of reading, not after
    data = build_data_set(args.polis, args.sessions, args.seed)
    write_data_set(data, args.out, args.force)
    print(f"{data.summary()}; wrote {args.out}", file=sys.stderr)
    return 0
