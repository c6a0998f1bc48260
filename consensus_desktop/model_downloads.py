"""Download a catalog model once, with progress, cancel and resume, checked against sha256.

huggingface-hub downloads into the app's models folder (resuming a partial file). Offline, the
error says to copy the file from a USB stick instead. Never called at start-up or by tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from consensus_desktop import paths
from consensus_desktop.engine.errors import GenerationCancelled
from consensus_desktop.model_catalog import CatalogEntry, sha256_of


class DownloadFailed(RuntimeError):
    pass


def download_job(entry: CatalogEntry) -> Callable[[Callable[[], bool]], Iterator[Any]]:
    def job(should_stop: Callable[[], bool]) -> Iterator[str]:
        try:
            from huggingface_hub import hf_hub_download
            from huggingface_hub.errors import LocalEntryNotFoundError
        except ImportError as exc:  # pragma: no cover
            raise DownloadFailed("huggingface-hub is not installed") from exc
        yield f"Downloading {entry.file} ({entry.size_bytes / 1e9:.2f} GB) from {entry.hf_repo}…"
        if should_stop():
            raise GenerationCancelled
        try:
            path = hf_hub_download(entry.hf_repo, entry.file, local_dir=paths.models_dir())
        except LocalEntryNotFoundError as exc:
            raise DownloadFailed(
                "No internet connection. Copy the .gguf file from a USB stick and use "
                "'Import .gguf from disk…' instead."
            ) from exc
        except Exception as exc:
            raise DownloadFailed(f"Download failed: {exc}. Try again: it resumes.") from exc
        if entry.sha256:
            yield "Checking the file (sha256)…"
            from pathlib import Path

            digest = sha256_of(Path(path))
            if digest != entry.sha256:
                Path(path).unlink(missing_ok=True)
                raise DownloadFailed(f"{entry.file} is damaged (sha256 mismatch); download again.")
        yield f"Ready: {path}"

    return job
