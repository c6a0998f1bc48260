"""Download a catalog model once: progress, cancel, resume, sha256 check.

The file is streamed from the Hugging Face Hub (huggingface-hub's HTTP session) into
``<models>/<file>.partial``; a cancelled or broken download resumes from there with an HTTP Range
request. When the catalog knows the sha256, a mismatch deletes the file. Offline, the error says to
copy the file from a USB stick instead. Never called at start-up or by tests against the internet.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from consensus_desktop import paths
from consensus_desktop.engine.errors import GenerationCancelled, ModelError
from consensus_desktop.engine.gguf_header import read_gguf_header
from consensus_desktop.errors import ServerError, StorageError
from consensus_desktop.model_catalog import CatalogEntry, sha256_of
from consensus_desktop.safe_files import atomic_path, put_in_place

CHUNK = 1 << 20


class DownloadFailed(ServerError):
    """The download host could not be reached, or the file it sent was wrong."""


@dataclass(frozen=True)
class DownloadProgress:
    done: int
    total: int  # 0 when the server did not say


def hub_url(entry: CatalogEntry, endpoint: str | None = None) -> str:
    if endpoint is None:
        from huggingface_hub import constants

        endpoint = os.environ.get("HF_ENDPOINT") or constants.ENDPOINT
    return f"{endpoint.rstrip('/')}/{entry.hf_repo}/resolve/main/{entry.file}"


def download(
    entry: CatalogEntry,
    should_stop: Callable[[], bool] = lambda: False,
    endpoint: str | None = None,
    folder: Path | None = None,
) -> Iterator[DownloadProgress | str | Path]:
    """Yield progress and messages, then the path of the verified model file."""
    from huggingface_hub import get_session
    from huggingface_hub.errors import OfflineModeIsEnabled

    folder = paths.ensure_dir(folder or paths.models_dir())
    target = folder / entry.file
    partial = folder / (entry.file + ".partial")
    start = partial.stat().st_size if partial.exists() else 0
    url = hub_url(entry, endpoint)
    yield f"Downloading {entry.file} from {entry.hf_repo}" + (
        f" (resuming at {start / 1e6:.0f} MB)" if start else ""
    )
    headers = {"Range": f"bytes={start}-"} if start else {}
    try:
        with get_session().stream(
            "GET", url, headers=headers, follow_redirects=True, timeout=30
        ) as response:
            if response.status_code == 416:  # nothing left to fetch: the partial file is complete
                pass
            elif response.status_code not in (200, 206):
                raise DownloadFailed(
                    f"The server answered {response.status_code} for {entry.file}. "
                    "Check the model name, or copy the file from a USB stick."
                )
            else:
                if response.status_code == 200 and start:
                    start = 0  # the server ignored the range: start again
                length = int(response.headers.get("content-length") or 0)
                total = start + length if length else 0
                done = start
                with partial.open("ab" if start else "wb") as fh:
                    for block in response.iter_bytes(CHUNK):
                        fh.write(block)
                        done += len(block)
                        yield DownloadProgress(done, total)
                        if should_stop():
                            raise GenerationCancelled
    except (GenerationCancelled, DownloadFailed):
        raise
    except OfflineModeIsEnabled as exc:
        raise DownloadFailed(
            "Downloads are switched off on this laptop (HF_HUB_OFFLINE is set); unset it, or copy "
            "the .gguf file from a USB stick and use 'Import .gguf from disk…'."
        ) from exc
    except Exception as exc:  # network errors come in many types; all mean the same here
        raise DownloadFailed(
            f"Could not reach the model server ({type(exc).__name__}). If this laptop is offline, "
            "copy the .gguf file from a USB stick and use 'Import .gguf from disk…'. "
            "A started download resumes next time."
        ) from exc
    if entry.sha256:
        yield "Checking the file (sha256)…"
        digest = sha256_of(partial)
        if digest != entry.sha256:
            partial.unlink(missing_ok=True)
            raise DownloadFailed(f"{entry.file} arrived damaged (sha256 mismatch); download again.")
    try:
        read_gguf_header(partial)
    except ModelError as exc:
        raise DownloadFailed(f"The downloaded file is not a usable model: {exc}") from exc
    yield put_in_place(partial, target)  # fsync, rename: never half a model under its name


def download_job(entry: CatalogEntry) -> Callable[[Callable[[], bool]], Iterator[object]]:
    return lambda should_stop: download(entry, should_stop)


def import_model(
    source: Path, should_stop: Callable[[], bool] = lambda: False, folder: Path | None = None
) -> Iterator[DownloadProgress | str | Path]:
    """Copy a GGUF file (from a USB stick, say) into the models folder: progress, cancel, then
    the path of the copy. The header is checked first, so a wrong file is refused at once."""
    info = read_gguf_header(source)  # raises a ModelError that names the file
    target = paths.ensure_dir(folder or paths.models_dir()) / source.name
    total = source.stat().st_size
    yield f"Copying {source.name} ({info.architecture}, {total / 1e9:.2f} GB)…"
    done = 0
    # a temporary name beside the target, fsynced and renamed once whole; removed on any failure
    with atomic_path(target) as tmp:
        try:
            with source.open("rb") as src, tmp.open("wb") as dst:
                while block := src.read(CHUNK * 8):
                    dst.write(block)
                    done += len(block)
                    yield DownloadProgress(done, total)
                    if should_stop():
                        raise GenerationCancelled
        except OSError as exc:  # a full or read-only disk, a stick pulled out
            reason = (exc.strerror or str(exc)).lower()
            raise StorageError(
                f"{source.name} could not be copied to {target.parent}: {reason}."
            ) from exc
    yield target


def import_job(source: Path) -> Callable[[Callable[[], bool]], Iterator[object]]:
    return lambda should_stop: import_model(source, should_stop)
