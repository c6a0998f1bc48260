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
    d.add_argument("--polis", type=Path, help="folder of Polis conversations")
    d.add_argument("--sessions", type=Path, nargs="*", default=[], help="session files (.sqlite)")
    d.add_argument("--out", type=Path, required=True, help="the data set to write (.jsonl)")
    d.add_argument("--seed", type=int, default=0, help="opinion sampling and k-means seed")
    d.add_argument("--force", action="store_true", help="replace --out if it exists")
    d.set_defaults(func=data_main)

    t = ss.add_parser(
        "train",
        help="fine-tune a LoRA adapter for a GGUF base model on a data set from `sft data`",
        description="LoRA fine-tuning (loss on the statements' tokens only) with torch and "
        "transformers (pip install 'consensus_desktop[train]'). Writes ADAPTER.gguf (a llama.cpp "
        "LoRA adapter) and ADAPTER.card.json beside it. Ctrl-C stops after writing a checkpoint "
        "(ADAPTER.gguf.checkpoint.npz) that --resume continues from.",
    )
    t.add_argument("--model", type=Path, help="base GGUF model (default: the app's default model)")
    t.add_argument("--data", type=Path, required=True, help="training set (.jsonl from sft data)")
    t.add_argument("--out", type=Path, required=True, metavar="ADAPTER.gguf")
    t.add_argument("--max-steps", type=int, default=0, help="stop after K optimizer steps")
    t.add_argument("--epochs", type=int, default=1, help="passes over the data (default 1)")
    t.add_argument("--seed", type=int, default=0, help="LoRA initialisation and data order")
    t.add_argument("--rank", type=int, default=8, help="LoRA rank (default 8)")
    t.add_argument("--learning-rate", type=float, default=2e-4)
    t.add_argument("--batch", type=int, default=4, help="examples per optimizer step (default 4)")
    t.add_argument("--max-tokens", type=int, default=1024, help="longest example kept, in tokens")
    t.add_argument("--threads", type=int, help="CPU threads (default: all cores)")
    t.add_argument(
        "--validate-on",
        type=Path,
        metavar="POLIS_DIR",
        help="measure base and adapter on the held-out Polis conversations; figures in the card",
    )
    t.add_argument("--resume", action="store_true", help="continue from the checkpoint")
    t.add_argument("--force", action="store_true", help="replace --out and its card if they exist")
    t.set_defaults(func=train_main)


def data_main(args: argparse.Namespace) -> int:
    from consensus_desktop.safe_files import check_destination
    from consensus_desktop.sft.data import build_data_set, write_data_set

    check_destination(args.out, args.force)  # before the minutes of reading, not after
    data = build_data_set(args.polis, args.sessions, args.seed)
    write_data_set(data, args.out, args.force)
    print(f"{data.summary()}; wrote {args.out}", file=sys.stderr)
    return 0


def train_main(args: argparse.Namespace) -> int:
    from consensus_desktop.sft.train_run import TrainRequest, describe_progress, training_job
    from consensus_desktop.sft.trainer import TrainProgress, checkpoint_path

    request = TrainRequest(
        data=args.data,
        out=args.out,
        base=args.model,
        max_steps=args.max_steps,
        epochs=args.epochs,
        seed=args.seed,
        rank=args.rank,
        learning_rate=args.learning_rate,
        batch=args.batch,
        max_tokens=args.max_tokens,
        threads=args.threads,
        resume=args.resume,
        force=args.force,
        validation=args.validate_on,
    )
    line = ProgressLine(sys.stderr)
    job = training_job(request)
    try:
        while True:
            event = next(job)
            if isinstance(event, TrainProgress):
                line.show(describe_progress(event), event.step)
            else:
                line.end()
                print(event, file=sys.stderr)
    except StopIteration as done:
        line.end()
        print(done.value, file=sys.stderr)
        return 0
    except KeyboardInterrupt:
        line.end()
        checkpoint = checkpoint_path(args.out)
        kept = (
            f"the finished steps are kept in {checkpoint.name} (the same command with --resume "
            "continues)"
            if checkpoint.is_file()
            else "no step had finished"
        )
        print(f"Training stopped: {kept}. No adapter was written.", file=sys.stderr)
        return 130


class ProgressLine:
    """One line redrawn in place on a terminal; a line per optimizer step otherwise."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.last_step = -1
        self.drawn = False

    def show(self, text: str, step: int) -> None:
        if self.tty:
            self.stream.write("\r\033[K" + text)
            self.stream.flush()
            self.drawn = True
        elif step != self.last_step:
            print(text, file=self.stream)
        self.last_step = step

    def end(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.drawn = False
