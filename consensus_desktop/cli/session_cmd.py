"""`consensus-desktop session …`: list, export, import, merge, anonymise, CSV, report."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import Any

from consensus_desktop import paths
from consensus_desktop.errors import InputError
from consensus_desktop.report import ReportOptions, save_html
from consensus_desktop.safe_files import check_destination
from consensus_desktop.store.database import SessionFileError, storage_error_message
from consensus_desktop.store.exports import (
    anonymise_session,
    check_csv_destinations,
    polis_csv,
    ratings_csv,
)
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.store.transfer import export_session, import_session_file, merge_files

FORCE_HELP = "replace FILE if it exists (never the library itself)"


def add_parser(sub: Any) -> None:
    p = sub.add_parser("session", help="list, export, import and merge session files")
    s = p.add_subparsers(dest="session_command", required=True)
    s.add_parser("list", help="sessions in the library database")
    e = s.add_parser("export", help="write one session to a standalone .sqlite file")
    e.add_argument("name", help="session name or uuid")
    e.add_argument("file", type=Path)
    e.add_argument("--force", action="store_true", help=FORCE_HELP)
    i = s.add_parser("import", help="read a session file into the library")
    i.add_argument("file", type=Path)
    m = s.add_parser(
        "merge",
        help="combine session files from several laptops into one database (a new file, or "
        "an existing one that gains what it lacks)",
    )
    m.add_argument("files", type=Path, nargs="+")
    m.add_argument("--into", type=Path, required=True)
    a = s.add_parser("anonymize", aliases=["anonymise"], help="export with pseudonyms replaced")
    a.add_argument("name")
    a.add_argument("file", type=Path)
    a.add_argument("--drop-text", action="store_true", help="also drop opinions and critiques")
    a.add_argument("--force", action="store_true", help=FORCE_HELP)
    c = s.add_parser("csv", help="Polis-compatible comments.csv + votes.csv, and ratings.csv")
    c.add_argument("name")
    c.add_argument("dir", type=Path)
    c.add_argument("--force", action="store_true", help="replace CSV files already in DIR")
    r = s.add_parser(
        "report", help="a printable report: one self-contained HTML file, and a PDF with --pdf"
    )
    r.add_argument("name")
    r.add_argument("html", type=Path, metavar="OUT.html")
    r.add_argument("--pdf", type=Path, metavar="OUT.pdf", help="also print the report to a PDF")
    r.add_argument(
        "--anonymise",
        "--anonymize",
        action="store_true",
        help="name participants as the anonymised export does",
    )
    r.add_argument(
        "--with-opinions", action="store_true", help="include opinions, critiques and pseudonyms"
    )
    r.add_argument("--force", action="store_true", help="replace existing files")
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
    except sqlite3.Error as exc:  # the library or --into could not be written
        target = args.into if args.session_command == "merge" else library_path(args)
        print(f"consensus-desktop: error: {storage_error_message(exc, target)}", file=sys.stderr)
        return 2


def library_path(args: argparse.Namespace) -> Path:
    return Path(args.library) if args.library else paths.library_db_path()


def _dispatch(args: argparse.Namespace) -> int:
    cmd = args.session_command
    if cmd == "merge":
        for r in merge_files(list(args.files), args.into):
            print(r.describe())
        print(f"Merged into {args.into}")
        return 0
    store = SessionStore(library_path(args))
    try:
        if cmd == "list":
            sessions = store.sessions()
            if not sessions:
                print("No sessions yet.")
            for row in sessions:
                step = row.current_step or "-"
                print(f"{row.name}\t{row.uuid}\tupdated {row.updated_at}\tstep {step}")
        elif cmd == "export":
            sid = store.find_session(args.name)
            out = export_session(store.db, sid, args.file, force=args.force)
            print(f"Exported to {out}")
        elif cmd == "import":
            for r in import_session_file(args.file, store.db):
                print(r.describe())
        elif cmd in {"anonymize", "anonymise"}:
            sid = store.find_session(args.name)
            keep = not args.drop_text
            out = anonymise_session(store.db, sid, args.file, keep_text=keep, force=args.force)
            print(f"Anonymised export written to {out}")
        elif cmd == "csv":
            sid = store.find_session(args.name)
            if not Path(args.dir).exists():  # as every other output: no folder made by surprise
                raise SessionFileError(f"The folder {args.dir} does not exist; create it first.")
            check_csv_destinations(args.dir, args.force)  # refuse before writing any of them
            files = [
                *polis_csv(store.db, sid, args.dir, args.force),
                ratings_csv(store.db, sid, args.dir, args.force),
            ]
            print("Wrote " + ", ".join(str(f) for f in files))
        elif cmd == "report":
            _report(store, args)
        return 0
    finally:
        store.close()


def _report(store: SessionStore, args: argparse.Namespace) -> None:
    sid = store.find_session(args.name)
    check_destination(args.html, args.force)
    if args.pdf is not None:
        if args.pdf.resolve() == args.html.resolve():
            raise InputError("Give the HTML and the PDF different file names.")
        check_destination(args.pdf, args.force)
        try:
            from consensus_desktop.gui.report_pdf import write_pdf
        except ImportError as exc:
            raise InputError(f"A PDF needs Qt (PySide6), which cannot be loaded: {exc}") from exc
    options = ReportOptions(anonymise=args.anonymise, with_opinions=args.with_opinions)
    report = save_html(store, sid, args.html, options, force=args.force)
    print(f"Report written to {args.html}")
    if args.pdf is not None:
        write_pdf(report, args.pdf)
        print(f"PDF written to {args.pdf}")
