"""The model server the facilitator set up, and its API key, in the config folder.

``model_server.json`` holds ``{"url", "model", "active"}`` and a key per server URL. The file is
written with owner-only permissions (temp file, fsync, rename); the key is never logged, shown in
full or exported with a session. ``CONSENSUS_DESKTOP_API_KEY`` overrides the stored key.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from consensus_desktop import paths
from consensus_desktop.safe_files import atomic_path

FILE_NAME = "model_server.json"
KEY_ENV = "CONSENSUS_DESKTOP_API_KEY"


@dataclass(frozen=True)
class ServerSettings:
    url: str = ""
    model: str = ""
    active: bool = False  # server use is off until the facilitator turns it on
    api_key: str = field(default="", repr=False)


def _path() -> Path:
    return paths.config_dir() / FILE_NAME


def _read() -> dict[str, Any]:
    try:
        data = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def api_key(url: str) -> str:
    """The key for ``url``: the environment variable, else the stored one, else ''."""
    env = os.environ.get(KEY_ENV, "").strip()
    if env:
        return env
    keys = _read().get("keys") or {}
    return str(keys.get(url.rstrip("/"), "")) if isinstance(keys, dict) else ""


def load() -> ServerSettings:
    data = _read()
    url = str(data.get("url") or "")
    return ServerSettings(url, str(data.get("model") or ""), bool(data.get("active")), api_key(url))


def save(settings: ServerSettings) -> None:
    """Store the server and (when given) its key; an empty key removes the stored one."""
    data = _read()
    stored = data.get("keys")
    keys: dict[str, str] = dict(stored) if isinstance(stored, dict) else {}
    url = settings.url.rstrip("/")
    if settings.api_key:
        keys[url] = settings.api_key
    else:
        keys.pop(url, None)
    data.update(url=url, model=settings.model, active=settings.active, keys=keys)
    target = paths.ensure_dir(paths.config_dir()) / FILE_NAME
    with atomic_path(target) as tmp:  # temporary name, fsync, rename
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # owner-only from the start
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)


def mask(key: str) -> str:
    """What may be shown of a key: its last four characters."""
    return f"…{key[-4:]}" if len(key) > 8 else ("set" if key else "none")
