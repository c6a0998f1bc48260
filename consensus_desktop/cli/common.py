"""Helpers shared by the CLI commands."""

from __future__ import annotations

import argparse
import logging
import math
import sys
from typing import TYPE_CHECKING

from consensus_desktop import paths

if TYPE_CHECKING:
    from consensus_desktop.engine.factory import ModelSpec


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


def add_server_arguments(parser: argparse.ArgumentParser, dest_prefix: str = "") -> None:
    """``--server URL [--server-model NAME] [--server-prompt …]`` (same on every command)."""
    parser.add_argument(
        "--server",
        dest=f"{dest_prefix}server",
        metavar="URL",
        help="use a model on an OpenAI-compatible server instead of a local GGUF, e.g. "
        "http://127.0.0.1:8080/v1 (opinions are sent to it; API key from "
        "CONSENSUS_DESKTOP_API_KEY or the one saved in the app)",
    )
    parser.add_argument(
        "--server-model",
        dest=f"{dest_prefix}server_model",
        metavar="NAME",
        help="the server's model id (default: the first model the server lists)",
    )
    parser.add_argument(
        "--server-prompt",
        dest=f"{dest_prefix}server_prompt",
        choices=["auto", "chat", "completion"],
        default="auto",
        help="chat (/v1/chat/completions, the model's chat template) or completion "
        "(/v1/completions); auto: chat when the model id names an instruct/chat model",
    )


def model_spec(
    model: str | None, server: str | None, server_model: str | None, server_prompt: str
) -> ModelSpec:
    """What ``--model`` / ``--server`` ask for; prints the privacy notice for a server."""
    from consensus_desktop.engine.factory import ModelSpec
    from consensus_desktop.engine.server import ServerSpec, privacy_notice
    from consensus_desktop.errors import InputError
    from consensus_desktop.server_config import api_key

    if not server:
        from consensus_desktop.model_catalog import resolve_model

        return ModelSpec(path=resolve_model(model))
    if model:
        raise InputError("Give either --model (a GGUF on this machine) or --server, not both.")
    print(privacy_notice(server), file=sys.stderr)
    return ModelSpec(server=ServerSpec(server, server_model or "", api_key(server), server_prompt))
