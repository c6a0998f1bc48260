"""Helpers shared by the CLI commands."""

from __future__ import annotations

import argparse
import logging
import math
import sys
from pathlib import Path

from consensus_desktop import paths


def parse_alpha(text: str) -> float:
    value = text.strip().lower()
    if value in {"inf", "infinity", "rawls", "rawlsian", "∞"}:
        return math.inf
    if value in {"util", "utilitarian", "mean"}:
        return 0.0
    if value in {"nash"}:
        return 1.0
    try:
        alpha = float(value)
    except ValueError:
        alpha = math.nan
    if not alpha >= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a welfare alpha: give a number >= 0, 'nash' or 'inf'"
        )
    return alpha


def setup_logging(verbose: bool = False) -> None:
    handlers: list[logging.Handler] = []
    try:
        log_file = paths.ensure_dir(paths.logs_dir()) / "consensus-desktop.log"
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    except OSError:  # a read-only home: the command still runs, without a log file
        handlers.append(logging.NullHandler())
    if verbose:
        handlers.append(logging.StreamHandler(sys.stderr))
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )


def fail(message: str, code: int = 2) -> int:
    print(f"consensus-desktop: error: {message}", file=sys.stderr)
    return code


def resolve_model(path: str | None) -> Path:
    from consensus_desktop.model_catalog import default_model_path

    return Path(path).expanduser() if path else default_model_path()
