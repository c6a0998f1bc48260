"""Writing files the facilitator can trust.

Nothing is written over an existing file unless the caller says so (``--force``, or the GUI's
save dialog that already asked), nothing is ever written over the live library or a database this
process has open, and every file is written under a temporary name in the same folder, fsynced,
and renamed into place only once it is complete: a crash or a flat battery leaves either the old
file or the new one under the final name, never half of one.
"""

from __future__ import annotations

import errno
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from consensus_desktop import paths
from consensus_desktop.errors import SessionFileError

_OPEN_DATABASES: set[Path] = set()
_SIDECARS = ("", "-wal", "-shm", "-journal")


class DestinationRefused(SessionFileError):
    """The destination exists (and no --force), or is a file the app must never write over."""


def register_open(path: Path) -> None:
    """A database this process has open: exports never write over it, even with --force."""
    _OPEN_DATABASES.add(Path(path).resolve())


def unregister_open(path: Path) -> None:
    _OPEN_DATABASES.discard(Path(path).resolve())


def _protected() -> set[Path]:
    live = {paths.library_db_path().resolve(), *_OPEN_DATABASES}
    return {p.with_name(p.name + s) for p in live for s in _SIDECARS}


def check_destination(target: Path, force: bool = False) -> Path:
    """Refuse a destination that exists (unless ``force``) or that is a live database."""
    target = Path(target)
    resolved = target.resolve()
    for protected in _protected():
        same = resolved == protected or (
            target.exists() and protected.exists() and os.path.samefile(target, protected)
        )
        if same:
            raise DestinationRefused(
                f"{target} is the app's library (or a database it has open); it is never "
                "written over, so choose another file name."
            )
    if target.is_dir():
        raise DestinationRefused(f"{target} is a folder; give a file name.")
    if target.exists() and not force:
        raise DestinationRefused(
            f"{target} already exists; choose another name, or use --force to replace it."
        )
    if not target.parent.is_dir():
        raise DestinationRefused(f"The folder {target.parent} does not exist.")
    return target


def _fsync_path(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0))
    try:
        os.fsync(fd)
    except OSError:
        if not directory:  # some file systems cannot fsync a folder; a file must be synced
            raise
    finally:
        os.close(fd)


def temporary_name(target: Path) -> Path:
    """A hidden, unique name beside ``target`` (same folder, so the final rename is atomic)."""
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")


def _folder_problem(folder: Path) -> str | None:
    """Why nothing can be created in ``folder`` (SQLite's "unable to open" does not say)."""
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "is read-only"
    except (OSError, AttributeError):  # no statvfs on Windows
        pass
    return None if os.access(folder, os.W_OK) else "cannot be written"


def _storage_error(target: Path, exc: BaseException) -> SessionFileError:
    """One sentence naming the file the user asked for (never the hidden temporary one)."""
    text = str(exc)
    code = getattr(exc, "errno", None)
    if code == errno.ENOSPC or "disk is full" in text:
        return SessionFileError(f"The disk is full, so {target} was not written.")
    why = _folder_problem(target.parent)
    if why or code in (errno.EROFS, errno.EACCES, errno.EPERM):
        why = why or ("is read-only" if code == errno.EROFS else "cannot be written")
        return SessionFileError(f"The folder {target.parent} {why}, so {target} was not written.")
    reason = getattr(exc, "strerror", None) or text
    return SessionFileError(f"{target} could not be written ({reason}).")


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path; once the block has written it, fsync it and rename it to target.

    If the block fails the temporary file is removed and ``target`` is untouched.
    """
    target = Path(target)
    tmp = temporary_name(target)
    try:
        yield tmp
        put_in_place(tmp, target)
    except (OSError, sqlite3.OperationalError) as exc:
        raise _storage_error(target, exc) from exc
    finally:
        for suffix in _SIDECARS:
            with suppress(OSError):  # a read-only folder refuses even removing what is not there
                Path(str(tmp) + suffix).unlink(missing_ok=True)


def put_in_place(complete: Path, target: Path) -> Path:
    """fsync the finished file ``complete`` and rename it to ``target`` (same folder), then fsync
    the folder: a crash leaves the old file or the whole new one under ``target``, never half.

    For a file that must keep a known name while it grows (a download that resumes from its
    ``.partial``); anything written in one go uses :func:`atomic_path`.
    """
    try:
        _fsync_path(complete)
        os.replace(complete, target)
        _fsync_path(target.parent, directory=True)
    except OSError as exc:
        raise _storage_error(target, exc) from exc
    return target


def write_text(target: Path, text: str, private: bool = False) -> Path:
    """``private``: readable by the owner only (0600) from the moment it exists."""
    with atomic_path(target) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o666)
        with open(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    return target
