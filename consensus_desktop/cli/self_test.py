"""`consensus-desktop --self-test`: prove this installation works, offline, in about a minute.

Loads the model, writes two candidates, predicts agreement, ranks them, writes a temporary session
file and reads it back. Prints a short report; returns 0, or 1 with a clear message on failure.
Its last line gives the verdict, backend, model and time, e.g. ``SELF-TEST PASSED: backend CPU,
model gemma-3-270m-Q4_K_M.gguf, 6.1 s``; with a GPU, ``backend Metal, model …, all layers
offloaded, …`` (the release workflow checks that a Mac reports Metal).
"""

from __future__ import annotations

import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from consensus_desktop.engine.types import ModelInfo

QUESTION = "Should our town plant more trees in the streets?"
OPINIONS = (
    "Yes, trees give shade in summer and make streets nicer to walk in.",
    "Only if the council pays for watering; new trees often die.",
    "Roots damage pavements, so choose the species carefully.",
)


def run_self_test(
    model_path: str | None = None,
    server: str | None = None,
    server_model: str | None = None,
    server_prompt: str = "auto",
    out: Callable[[str], None] = print,
) -> int:
    started = time.perf_counter()
    checks: list[str] = []
    summary = "backend unknown (the model did not load)"

    def step(label: str) -> float:
        out(f"  … {label}")
        return time.perf_counter()

    try:
        from consensus_desktop import __version__, paths
        from consensus_desktop.cli.common import model_spec
        from consensus_desktop.engine.factory import open_backend
        from consensus_desktop.pipeline import RunResult, run
        from consensus_desktop.reward.select import reward_for
        from consensus_desktop.run_request import RunRequest
        from consensus_desktop.session.recording import store_run_result
        from consensus_desktop.store.database import row_count
        from consensus_desktop.store.session_store import SessionStore
        from consensus_desktop.store.transfer import export_session, import_session_file

        out(f"consensus-desktop {__version__} self-test (data in {paths.data_dir()})")
        t = step("loading the model")
        engine = open_backend(model_spec(model_path, server, server_model, server_prompt))
        summary = summary_of(engine.info)
        checks.append(
            f"model {engine.info.file_name} on {engine.info.location} "
            f"loaded in {time.perf_counter() - t:.1f} s"
        )
        t = step("writing two candidates and predicting agreement")
        reward = reward_for(engine)
        request = RunRequest(QUESTION, OPINIONS, n=2, max_tokens=48, seed=7)
        result = next(e for e in run(engine, reward, request) if isinstance(e, RunResult))
        if len(result.candidates) < 1:
            raise RuntimeError("the model wrote no usable candidate")
        shape = result.agreement.shape
        if shape != (len(result.candidates), len(OPINIONS)):
            raise RuntimeError(f"predictions have shape {shape}")
        checks.append(
            f"{len(result.candidates)} candidates, {shape[0]}x{shape[1]} predictions, "
            f"ranked, in {time.perf_counter() - t:.1f} s"
        )
        out(f"    best: {result.candidates[0].text}")
        out(f"    reward model: {reward.version.label} ({reward.version.validation})")
        from consensus_desktop.model_catalog import shipped_data_dir
        from consensus_desktop.reward.stance_model import CARD, GGUF, HEAD

        missing = [f for f in (GGUF, HEAD, CARD) if not (shipped_data_dir() / f).is_file()]
        if missing:
            raise RuntimeError(f"the stance model is missing from this installation: {missing}")
        t = step("writing and reading a session file")
        with tempfile.TemporaryDirectory(prefix="cd-self-test-") as tmp:
            store = SessionStore(Path(tmp) / "library.sqlite")
            sid = store.create_session("self-test")
            qid = store.add_question(sid, QUESTION)
            pids = [store.add_participant(sid, f"P{i + 1}") for i in range(len(OPINIONS))]
            store_run_result(store, sid, qid, pids, result)
            exported = export_session(store.db, sid, Path(tmp) / "session.sqlite")
            store.close()
            other = SessionStore(Path(tmp) / "other.sqlite")
            [imported] = import_session_file(exported, other.db)
            n = row_count(other.db, "predictions")
            other.close()
            if imported.skipped or n != shape[0] * shape[1]:
                raise RuntimeError("the session file did not round-trip")
        checks.append(f"session file written and read back in {time.perf_counter() - t:.1f} s")
        reward.close()
        engine.close()
    except Exception as exc:  # the report must say what failed, in words
        out(traceback.format_exc(limit=3))
        out(f"SELF-TEST FAILED: {summary}, {time.perf_counter() - started:.1f} s: {exc}")
        return 1
    for c in checks:
        out(f"  ok  {c}")
    out(f"SELF-TEST PASSED: {summary}, {time.perf_counter() - started:.1f} s")
    return 0


def summary_of(info: ModelInfo) -> str:
    """The backend and model, as the self-test's last line names them."""
    if info.host:
        return f"backend server {info.host}, model {info.label}"
    if info.backend == "CPU":
        return f"backend CPU, model {info.label}"
    layers = "all" if info.n_gpu_layers < 0 else str(info.n_gpu_layers)
    return f"backend {info.backend}, model {info.label}, {layers} layers offloaded"


if __name__ == "__main__":
    sys.exit(run_self_test())
