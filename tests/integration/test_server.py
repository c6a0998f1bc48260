"""The server backend against a real OpenAI-compatible server: ``python -m llama_cpp.server``
with the default model, started on a free loopback port by the ``llama_server`` fixture."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import sqlite_utils
from llama_server import LlamaServer
from sample_inputs import OPINIONS, QUESTION

from consensus_desktop.engine.errors import GenerationCancelled
from consensus_desktop.engine.factory import ModelSpec, open_backend
from consensus_desktop.engine.protocol import ModelBackend
from consensus_desktop.engine.server import ServerSpec
from consensus_desktop.engine.types import Candidate, Progress, SamplingParams
from consensus_desktop.errors import ServerError
from consensus_desktop.prompts import JURY_FEW_SHOT
from consensus_desktop.run_request import DEFAULT_TEMPLATE

pytestmark = [pytest.mark.model, pytest.mark.slow]
EXE = shutil.which("consensus-desktop") or "consensus-desktop"
KEY = "sk-test-never-stored-4711"


def cli(
    *args: str, home: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ, CONSENSUS_DESKTOP_HOME=str(home), **(env or {}))
    return subprocess.run([EXE, *args], capture_output=True, text=True, env=full, timeout=900)


def opinion_args() -> list[str]:
    args = ["--question", QUESTION]
    for o in OPINIONS:
        args += ["--opinion", o]
    return args


def test_run_server_json_ranks_4_candidates_and_records_the_backend(
    llama_server: LlamaServer, tmp_path: Path
) -> None:
    proc = cli(
        "run", "--server", llama_server.url, "--n", "4", "--max-tokens", "40", "--json",
        "--session", "srv", *opinion_args(), home=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f"Opinions are sent to 127.0.0.1:{llama_server.port}" in proc.stderr
    out = json.loads(proc.stdout)
    assert len(out["candidates"]) == 4
    assert all(len(c["agreement"]) == len(OPINIONS) for c in out["candidates"])
    assert out["backend"] == f"server 127.0.0.1:{llama_server.port}"
    assert out["model"] == "gemma-3-270m" and out["prompt_version"] == DEFAULT_TEMPLATE
    db = sqlite_utils.Database(tmp_path / "data" / "library.sqlite")
    [run] = list(db["generation_runs"].rows)
    assert run["backend"] == out["backend"] and run["model_file"] == "gemma-3-270m"
    assert run["prompt_template"] == DEFAULT_TEMPLATE


def test_embeddings_cancel_and_the_protocol(llama_server: LlamaServer) -> None:
    backend = open_backend(ModelSpec(server=ServerSpec(llama_server.url)))
    assert isinstance(backend, ModelBackend)
    out = [e for e in backend.embed(["Lower the limit.", "Keep it.", ""])][-1]
    assert isinstance(out, np.ndarray) and out.shape[0] == 3 and out.shape[1] > 100
    plan = backend.fit(lambda ops, k: JURY_FEW_SHOT.plan(QUESTION, ops, k), OPINIONS, 1, 4, 40)
    params = SamplingParams(max_tokens=40, seed=3)
    seen: list[object] = []
    start = time.monotonic()
    with pytest.raises(GenerationCancelled):
        for event in backend.generate_candidates(plan.plan, 4, params, lambda: bool(seen)):
            if isinstance(event, Progress):
                seen.append(event)
    assert time.monotonic() - start < 30
    found = [
        e for e in backend.generate_candidates(plan.plan, 1, params) if isinstance(e, Candidate)
    ]
    assert len(found) <= 1  # the server still serves after a cancel
    backend.close()


def test_api_key_is_sent_and_a_wrong_one_is_one_sentence(
    default_model_path: Path, tmp_path: Path
) -> None:
    server = LlamaServer(default_model_path, "keyed", api_key=KEY)
    try:
        ok = open_backend(ModelSpec(server=ServerSpec(server.url, api_key=KEY)))
        assert ok.info.file_name == "keyed"
        with pytest.raises(ServerError, match="refused access \\(HTTP 401\\)"):
            open_backend(ModelSpec(server=ServerSpec(server.url, api_key="wrong")))
        proc = cli("run", "--server", server.url, "--n", "1", *opinion_args(), home=tmp_path)
        assert proc.returncode == 2 and "API key" in proc.stderr, proc.stderr
    finally:
        server.stop()
    assert KEY not in "".join(p.read_text(errors="ignore") for p in tmp_path.rglob("*.log"))


def test_a_stopped_server_is_one_sentence_within_10_s(
    default_model_path: Path, tmp_path: Path
) -> None:
    server = LlamaServer(default_model_path, "stopped")
    server.stop()
    start = time.monotonic()
    proc = cli("run", "--server", server.url, "--n", "4", "--json", *opinion_args(), home=tmp_path)
    assert time.monotonic() - start < 10
    assert proc.returncode == 2 and proc.stdout == ""
    assert (
        proc.stderr.strip().splitlines()[-1].startswith("consensus-desktop: error: Nothing answers")
    )
