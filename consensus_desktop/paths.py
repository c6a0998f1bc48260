"""Every on-disk location the app uses, in one place.

platformdirs gives the per-user folders. ``CONSENSUS_DESKTOP_HOME`` moves *all* of them under one
root: tests, portable installs (a USB stick) and several instances side by side set it.

These functions only name folders; nothing here creates one. Code that writes calls ``ensure_dir``
first, so ``--help``, ``--version`` and read-only commands leave the disk untouched.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "consensus-desktop"
HOME_ENV = "CONSENSUS_DESKTOP_HOME"


def home_override() -> Path | None:
    value = os.environ.get(HOME_ENV, "").strip()
    return Path(value).expanduser().resolve() if value else None


def _dir(kind: str) -> Path:
    root = home_override()
    if root is not None:
        path = root / kind
    else:
        getter = {
            "data": platformdirs.user_data_dir,
            "cache": platformdirs.user_cache_dir,
            "config": platformdirs.user_config_dir,
            "logs": platformdirs.user_log_dir,
        }[kind]
        path = Path(getter(APP_NAME, appauthor=False))
    return path


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) if missing; call it just before writing into it."""
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    return _dir("data")


def cache_dir() -> Path:
    return _dir("cache")


def config_dir() -> Path:
    return _dir("config")


def logs_dir() -> Path:
    return _dir("logs")


def log_file() -> Path:
    """The app's log (the CLI and the app window write it; a bug's traceback goes there)."""
    return logs_dir() / "consensus-desktop.log"


def models_dir() -> Path:
    """GGUF files the facilitator added (downloaded or copied) and the assembled default model."""
    return data_dir() / "models"


def adapters_dir() -> Path:
    """LoRA adapters (with their cards and data sets) learned on this laptop or added to it."""
    return data_dir() / "adapters"


def library_db_path() -> Path:
    """The app's library database: every session recorded on this laptop."""
    return data_dir() / "library.sqlite"
