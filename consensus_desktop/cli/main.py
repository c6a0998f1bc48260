"""Entry point of `consensus-desktop`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from consensus_desktop import __version__
from consensus_desktop.cli import (
    ballots_cmd,
    plenary_cmd,
    reward_cmd,
    run_cmd,
    session_cmd,
    sft_cmd,
)
from consensus_desktop.cli.common import add_server_arguments, fail, setup_logging
from consensus_desktop.errors import ConsensusError, describe_os_error


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="consensus-desktop",
        description="Help a citizens' jury find a statement everyone can agree with. "
        "With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--verbose", action="store_true", help="log to stderr too")
    parser.add_argument("--model", dest="app_model", help="GGUF model for the app window")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="load the model, generate, predict, rank, round-trip a session file; exit 0 if all ok",
    )
    add_server_arguments(parser, dest_prefix="app_")
    sub = parser.add_subparsers(dest="command")
    run_cmd.add_parser(sub)
    session_cmd.add_parser(sub)
    plenary_cmd.add_parser(sub)
    ballots_cmd.add_parser(sub)
    reward_cmd.add_parsers(sub)
    sft_cmd.add_parser(sub)
    return parser


SESSION_SUFFIXES = (".sqlite", ".db")


def session_file_argument(argv: Sequence[str]) -> str | None:
    """``consensus-desktop FILE.sqlite``, as a file manager opens a session file (the .desktop
    entry's ``%f``): the file to import into the library once the window is open."""
    if len(argv) == 1 and Path(argv[0]).suffix.lower() in SESSION_SUFFIXES:
        return argv[0]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    opened = session_file_argument(argv)
    if opened is not None:
        from consensus_desktop.gui.app import main as gui_main

        return gui_main(None, open_file=opened)
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose)
    if args.self_test:
        from consensus_desktop.cli.self_test import run_self_test

        return run_self_test(
            args.app_model, args.app_server, args.app_server_model, args.app_server_prompt
        )
    if args.command is None:
        from consensus_desktop.gui.app import main as gui_main

        return gui_main(args.app_model)
    try:
        return int(args.func(args))
    except ConsensusError as exc:
        return fail(str(exc))
    except OSError as exc:  # a file the user named could not be read or written
        return fail(describe_os_error(exc, "use"))
    except KeyboardInterrupt:
        return fail("interrupted", 130)


if __name__ == "__main__":
    sys.exit(main())
