"""Helpers shared by the CLI commands."""

from __future__ import annotations

import argparse
import logging
import math
import sys
from typing import TYPE_CHECKING, Any

from consensus_desktop import paths
from consensus_desktop.engine.types import DEFAULT_TEMPERATURE

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
        paths.ensure_dir(paths.log_file().parent)
        handlers.append(logging.FileHandler(paths.log_file(), encoding="utf-8"))
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


def add_generation_arguments(parser: argparse.ArgumentParser) -> None:
    """``--n --alpha --seed --max-tokens --temperature`` (same on every command that generates);
    :func:`generation_settings` reads and checks them."""
    parser.add_argument("--n", type=int, default=16, help="number of candidates (default 16)")
    parser.add_argument(
        "--alpha",
        type=parse_alpha,
        default=0.0,
        help="welfare alpha: 0 utilitarian (default), 1 Nash, inf Rawlsian",
    )
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--max-tokens", type=int, default=60)
    parser.add_argument("--temperature", type=float, default=DEFAULT_TEMPERATURE)


def generation_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The generation arguments as :class:`~consensus_desktop.pipeline.RunRequest` fields, checked
    (ranges, nan: one sentence naming the field) before any file is read or model loaded."""
    from consensus_desktop.run_request import RunRequest

    settings: dict[str, Any] = {
        "n": args.n,
        "alpha": args.alpha,
        "seed": args.seed,
        "max_tokens": args.max_tokens,
        "temperature": args.temperature,
    }
    RunRequest(question="", opinions=(), **settings).validate_settings()
    return settings


def model_spec(
    model: str | None, server: str | None, server_model: str | None, server_prompt: str
) -> ModelSpec:
    """What ``--model`` / ``--server`` ask for; prints the privacy notice for a server."""
    from consensus_desktop.engine.factory import ModelSpec
    from consensus_desktop.engine.server import ServerSpec, privacy_notice
    from consensus_desktop.errors import InputError
    from consensus_desktop.server_config import api_key

    if server is not None and not server.strip():
        raise InputError("--server is empty: give a server URL like http://127.0.0.1:8080/v1.")
    if not server:
        from consensus_desktop.model_catalog import resolve_model

        return ModelSpec(path=resolve_model(model))
    if model:
        raise InputError("Give either --model (a GGUF on this machine) or --server, not both.")
    print(privacy_notice(server), file=sys.stderr)
    return ModelSpec(server=ServerSpec(server, server_model or "", api_key(server), server_prompt))
