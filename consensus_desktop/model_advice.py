"""Honest words about the model in use, and which catalog model suits this laptop (no Qt).

The default model is tiny (Gemma 3 270M): it makes the flow work offline on any laptop, but its
statements are rough. The facilitator is told so wherever the model is named, and the model
manager recommends the largest catalog model that fits the laptop's memory.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Sequence

from consensus_desktop.model_catalog import CatalogEntry, default_entry

DEFAULT_MODEL_NOTE = (
    "The default model is small: its statements are rough, fine for trying the flow and for "
    "rehearsal. For a real session use a bigger model (Models ▸ Manage models…) or a model server."
)
CPU_SHARE, GPU_SHARE = 0.5, 0.75  # of the RAM a model may take (the rest: system, app, browser)


def is_default_model(file_name: str) -> bool:
    return file_name == default_entry().file


def model_line(file_name: str, backend: str) -> str:
    """The status-bar line: the model, where it runs, and a word when it is the small default."""
    if is_default_model(file_name):
        return f"Model: {default_entry().title} · {backend} · default, small: rough statements"
    return f"Model: {file_name} · {backend} · loaded"


def total_ram_gb() -> float | None:
    """Physical memory in GB, or None where it cannot be read."""
    try:
        if sys.platform == "win32":

            class _Status(ctypes.Structure):
                _fields_ = [
                    ("length", ctypes.c_ulong),
                    ("load", ctypes.c_ulong),
                    ("total", ctypes.c_ulonglong),
                    ("avail", ctypes.c_ulonglong),
                    ("total_page", ctypes.c_ulonglong),
                    ("avail_page", ctypes.c_ulonglong),
                    ("total_virtual", ctypes.c_ulonglong),
                    ("avail_virtual", ctypes.c_ulonglong),
                    ("avail_extended", ctypes.c_ulonglong),
                ]

            status = _Status()
            status.length = ctypes.sizeof(_Status)
            if not ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):  # type: ignore[attr-defined]
                return None
            return float(status.total) / 1e9
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (AttributeError, OSError, ValueError):
        return None


def recommend(
    entries: Sequence[CatalogEntry], ram_gb: float | None, gpu: bool = False
) -> CatalogEntry | None:
    """The largest model (by the RAM it needs) that fits this laptop; None if only the default."""
    if ram_gb is None:
        return None
    budget = ram_gb * (GPU_SHARE if gpu else CPU_SHARE)
    default = default_entry().id
    fits = [e for e in entries if e.id != default and e.ram_gb <= budget]
    return max(fits, key=lambda e: (e.ram_gb, e.size_bytes), default=None)


def recommendation_line(
    entries: Sequence[CatalogEntry], ram_gb: float | None, gpu: bool = False
) -> str:
    where = "a GPU" if gpu else "no GPU in use"
    if ram_gb is None:
        return (
            "This laptop's memory could not be read: pick a model that needs less than half of it."
        )
    best = recommend(entries, ram_gb, gpu)
    if best is None:
        return (
            f"This laptop has {ram_gb:.0f} GB of memory ({where}): only the small default model "
            "fits. A model server on a bigger machine gives better statements."
        )
    return (
        f"Recommended for this laptop ({ram_gb:.0f} GB of memory, {where}): {best.title} "
        f"(needs about {best.ram_gb:g} GB)."
    )
