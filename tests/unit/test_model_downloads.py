"""Model downloads against a local HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import hashlib
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from consensus_desktop.engine.errors import GenerationCancelled
from consensus_desktop.model_catalog import CatalogEntry
from consensus_desktop.model_downloads import DownloadFailed, DownloadProgress, download

GGUF = b"GGUF" + (3).to_bytes(4, "little") + (0).to_bytes(8, "little") * 2 + bytes(3_000_000)


class RangeHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if not self.path.endswith("/resolve/main/m.gguf"):
            self.send_error(404)
            return
        start = 0
        match = re.match(r"bytes=(\d+)-", self.headers.get("Range", ""))
        if match:
            start = int(match.group(1))
        body = GGUF[start:]
        self.send_response(206 if match else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(autouse=True)
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests use a server on 127.0.0.1, whatever HF_HUB_OFFLINE says in the caller's shell."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "is_offline_mode", lambda: False)


def test_offline_switch_is_explained(
    monkeypatch: pytest.MonkeyPatch, server: str, tmp_path: Path
) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "is_offline_mode", lambda: True)
    with pytest.raises(DownloadFailed, match=r"^Downloads are switched off on this laptop"):
        list(download(entry(None), endpoint=server, folder=tmp_path))


@pytest.fixture()
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def entry(sha: str | None) -> CatalogEntry:
    return CatalogEntry("m", "M", "huggingface", "org/repo", "m.gguf", len(GGUF), sha, "MIT", 1.0)


def test_download_with_progress_cancel_and_resume(server: str, tmp_path: Path) -> None:
    sha = hashlib.sha256(GGUF).hexdigest()
    seen: list[DownloadProgress] = []

    def stop_after_first() -> bool:
        return len(seen) >= 1

    with pytest.raises(GenerationCancelled):
        for item in download(entry(sha), stop_after_first, server, tmp_path):
            if isinstance(item, DownloadProgress):
                seen.append(item)
    partial = tmp_path / "m.gguf.partial"
    assert 0 < partial.stat().st_size < len(GGUF)
    items = list(download(entry(sha), endpoint=server, folder=tmp_path))
    assert any("resuming" in i for i in items if isinstance(i, str))
    progress = [i for i in items if isinstance(i, DownloadProgress)]
    assert progress[-1].done == progress[-1].total == len(GGUF)
    assert items[-1] == tmp_path / "m.gguf"
    assert (tmp_path / "m.gguf").read_bytes() == GGUF and not partial.exists()


def test_sha256_mismatch_deletes_the_file(server: str, tmp_path: Path) -> None:
    with pytest.raises(DownloadFailed, match="sha256"):
        list(download(entry("0" * 64), endpoint=server, folder=tmp_path))
    assert not list(tmp_path.iterdir())


def test_offline_gives_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(DownloadFailed, match="USB stick"):
        list(download(entry(None), endpoint="http://127.0.0.1:1", folder=tmp_path))


def test_import_copies_whole_or_leaves_nothing(tmp_path: Path) -> None:
    """The copy is written under a temporary name and renamed once whole: a cancelled import leaves
    no file behind, a finished one leaves exactly the model."""
    from consensus_desktop.model_downloads import import_model

    source = tmp_path / "stick" / "m.gguf"
    source.parent.mkdir()
    source.write_bytes(GGUF)
    models = tmp_path / "models"
    with pytest.raises(GenerationCancelled):
        for _ in import_model(source, should_stop=lambda: True, folder=models):
            pass
    assert list(models.iterdir()) == []
    events = list(import_model(source, folder=models))
    assert events[-1] == models / "m.gguf" and list(models.iterdir()) == [models / "m.gguf"]
    assert (models / "m.gguf").read_bytes() == GGUF
