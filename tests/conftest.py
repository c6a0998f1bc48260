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
