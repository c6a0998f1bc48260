"""Helpers shared by the CLI commands."""

from __future__ import annotations

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
    alpha = float(value)
    if alpha < 0 or math.isnan(alpha):
        raise ValueError("alpha must be >= 0, or 'inf'")
    return alpha


def setup_logging(verbose: bool = False) -> None:
    log_file = paths.logs_dir() / "consensus-desktop.log"
    handlers: list[logging.Handler] = [logging.FileHandler(log_file, encoding="utf-8")]
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
