"""`consensus-desktop session …`: list, export, import, merge, anonymise, CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from consensus_desktop import paths
from consensus_desktop.store.database import SessionFileError
from consensus_desktop.store.exports import anonymise_session, polis_csv, ratings_csv
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.store.transfer import export_session, import_session_file, merge_files


def add_parser(sub: Any) -> None:
    p = sub.add_parser("session", help="list, export, import and merge session files")
    s = p.add_subparsers(dest="session_command", required=True)
    s.add_parser("list", help="sessions in the library database")
    e = s.add_parser("export", help="write one session to a standalone .sqlite file")
    e.add_argument("name", help="session name or uuid")
    e.add_argument("file", type=Path)
    i = s.add_parser("import", help="read a session file into the library")
    i.add_argument("file", type=Path)
    m = s.add_parser("merge", help="combine session files from several laptops into one database")
    m.add_argument("files", type=Path, nargs="+")
    m.add_argument("--into", type=Path, required=True)
    a = s.add_parser("anonymize", aliases=["anonymise"], help="export with pseudonyms replaced")
    a.add_argument("name")
    a.add_argument("file", type=Path)
    a.add_argument("--drop-text", action="store_true", help="also drop opinions and critiques")
    c = s.add_parser("csv", help="Polis-compatible comments.csv + votes.csv, and ratings.csv")
    c.add_argument("name")
    c.add_argument("dir", type=Path)
    p.add_argument(
        "--library", type=Path, help=f"library database (default {paths.library_db_path()})"
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    try:
        return _dispatch(args)
    except SessionFileError as exc:
        print(f"consensus-desktop: error: {exc}", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace) -> int:
    cmd = args.session_command
    if cmd == "merge":
        results = merge_files(list(args.files), args.into)
        for r in results:
            state = "already there, skipped" if r.skipped else "merged"
            print(f"{r.name} ({r.uuid[:8]}): {state}")
        return 0
    store = SessionStore(args.library)
    try:
        if cmd == "list":
            sessions = store.sessions()
            if not sessions:
                print("No sessions yet.")
            for row in sessions:
                step = row.current_step or "-"
                print(f"{row.name}\t{row.uuid}\tupdated {row.updated_at}\tstep {step}")
        elif cmd == "export":
            out = export_session(store.db, store.find_session(args.name), args.file)
            print(f"Exported to {out}")
        elif cmd == "import":
            for r in import_session_file(args.file, store.db):
                print(
                    f"{r.name} ({r.uuid[:8]}): {'already there, skipped' if r.skipped else 'imported'}"
                )
        elif cmd in {"anonymize", "anonymise"}:
            out = anonymise_session(
                store.db, store.find_session(args.name), args.file, keep_text=not args.drop_text
            )
            print(f"Anonymised export written to {out}")
        elif cmd == "csv":
            sid = store.find_session(args.name)
            files = [*polis_csv(store.db, sid, args.dir), ratings_csv(store.db, sid, args.dir)]
            print("Wrote " + ", ".join(str(f) for f in files))
        return 0
    finally:
        store.close()
