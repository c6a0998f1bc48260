"""Route llama.cpp's C-level log into Python logging, keeping the last lines for error messages."""

from __future__ import annotations

import ctypes
import logging
from collections import deque

import llama_cpp

log = logging.getLogger("consensus_desktop.llama")
_recent: deque[str] = deque(maxlen=200)
_installed = False


@llama_cpp.llama_log_callback
def _callback(level: int, text: bytes, _user_data: ctypes.c_void_p) -> None:
    line = text.decode("utf-8", errors="replace").rstrip()
    if line:
        _recent.append(line)
        log.debug(line)


def install() -> None:
    """Silence llama.cpp's stderr chatter; its messages go to the app log instead."""
    global _installed
    if not _installed:
        llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))
        _installed = True


def recent(n: int = 30) -> list[str]:
    return list(_recent)[-n:]


def clear() -> None:
    _recent.clear()
