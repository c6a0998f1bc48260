"""The headless method end to end, through the installed console script, on the real model."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import sqlite_utils
from sample_inputs import OPINIONS, QUESTION

from consensus_desktop.welfare.isoelastic import welfare
from consensus_desktop.welfare.utilities import likert_to_utility

pytestmark = pytest.mark.model
EXE = shutil.which("consensus-desktop") or "consensus-desktop"


def cli(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if home is not None:
        env["CONSENSUS_DESKTOP_HOME"] = str(home)
    return subprocess.run([EXE, *args], capture_output=True, text=True, env=env, timeout=600)


def run_json(*extra: str, home: Path | None = None) -> dict:
    args = ["run", "--question", QUESTION]
    for o in OPINIONS:
        args += ["--opinion", o]
    proc = cli(*args, "--n", "4", "--max-tokens", "40", "--json", *extra, home=home)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("alpha", ["0", "inf"])
def test_run_json_ranks_by_welfare(alpha: str) -> None:
    out = run_json("--alpha", alpha, *(["--gpu-layers", "0"] if alpha == "inf" else []))
    if alpha == "inf":
        assert out["backend"] == "CPU"  # --gpu-layers 0 keeps every layer on the CPU
    cands = out["candidates"]
    assert len(cands) == 4
    assert len({c["text"] for c in cands}) == 4 and all(c["text"].strip() for c in cands)
    assert all(len(c["agreement"]) == 3 for c in cands)
    assert all(1 <= a <= 7 for c in cands for a in c["agreement"])
    assert out["model"] == "gemma-3-270m-q4_k_m.gguf" and out["prompt_version"]
    agreement = np.array([c["agreement"] for c in cands])
    key = agreement.mean(axis=1) if alpha == "0" else agreement.min(axis=1)
    assert np.all(np.diff(key) <= 1e-3), "not ranked by mean/min of the printed predictions"
    w = welfare(likert_to_utility(agreement), math.inf if alpha == "inf" else 0.0) * 7
    assert np.allclose(w, [c["welfare"] for c in cands], atol=1e-3)


def test_run_records_a_session_that_exports_imports_and_merges(
    tmp_path: Path, default_model_path: Path
) -> None:
    homes = [tmp_path / "laptop1", tmp_path / "laptop2"]
    files = []
    for i, home in enumerate(homes):
        shutil.copytree(
            os.environ["CONSENSUS_DESKTOP_HOME"] + "/data/models", home / "data" / "models"
        )  # reuse the assembled default model
        run_json("--session", f"Table {i + 1}", home=home)
        listed = cli("session", "list", home=home)
        assert f"Table {i + 1}" in listed.stdout
        target = tmp_path / f"table{i + 1}.sqlite"
        assert cli("session", "export", f"Table {i + 1}", str(target), home=home).returncode == 0
        files.append(target)
        tables = subprocess.run(
            ["sqlite-utils", "tables", str(target)], capture_output=True, text=True
        )
        assert "candidates" in tables.stdout
    # import back into a fresh library: identical content
    fresh = tmp_path / "fresh"
    assert cli("session", "import", str(files[0]), home=fresh).returncode == 0
    original = sqlite_utils.Database(homes[0] / "data" / "library.sqlite")
    imported = sqlite_utils.Database(fresh / "data" / "library.sqlite")
    for table in ("candidates", "predictions", "opinions", "generation_runs"):
        assert original[table].count == imported[table].count > 0
    texts = lambda db: sorted(r["text"] for r in db["candidates"].rows)  # noqa: E731
    assert texts(original) == texts(imported)
    merged = tmp_path / "workshop.sqlite"
    proc = cli("session", "merge", *map(str, files), "--into", str(merged), home=fresh)
    assert proc.returncode == 0, proc.stderr
    db = sqlite_utils.Database(merged)
    assert sorted(r["name"] for r in db["sessions"].rows) == ["Table 1", "Table 2"]
    assert db["predictions"].count == 2 * 4 * 3


def test_clear_errors_for_bad_input(tmp_path: Path) -> None:
    proc = cli("run", "--question", QUESTION, "--opinion", "  ", "--opinion", "ok", "--n", "1")
    assert proc.returncode == 2 and "The opinion of P1 is empty" in proc.stderr
    proc = cli(
        "run", "--question", QUESTION, "--opinion", "x", "--model", str(tmp_path / "no.gguf")
    )
    assert proc.returncode == 2 and "not found" in proc.stderr
    proc = cli("run", "--question", QUESTION, "--opinion", "x", "--gpu-layers", "-2")
    assert proc.returncode == 2 and "--gpu-layers takes -1 (every layer" in proc.stderr
    assert "Traceback" not in proc.stderr
    bad = tmp_path / "bad.sqlite"
    bad.write_text("nope")
    proc = cli("session", "import", str(bad))
    assert proc.returncode == 2 and "not a SQLite database" in proc.stderr


def test_first_run_in_a_fresh_home_prints_clean_json(tmp_path: Path) -> None:
    """A first run (the default model assembled, the sentence encoder loaded): clean JSON only."""
    home = tmp_path / "fresh"
    (home / "data" / "models").mkdir(parents=True)
    gemma = (
        Path(os.environ["CONSENSUS_DESKTOP_HOME"]) / "data" / "models" / "gemma-3-270m-q4_k_m.gguf"
    )
    shutil.copy(gemma, home / "data" / "models" / gemma.name)
    out = run_json(home=home)
    assert out["reward_model"]["method"] == "minilm-cosine-stance-v1"
    assert out["reward_model"]["base_model"] == "all-minilm-l6-v2-q8_0.gguf"


def test_run_session_into_a_newer_library_prints_the_run_and_keeps_it(
    tmp_path: Path, default_model_path: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(os.environ["CONSENSUS_DESKTOP_HOME"] + "/data/models", home / "data" / "models")
    library = home / "data" / "library.sqlite"
    db = sqlite_utils.Database(library)
    db["_migrations"].insert({"version": 999, "name": "future", "applied_at": "x"})
    db["sessions"].insert({"id": 1, "uuid": "u", "name": "newer", "created_at": "x"})
    db.conn.close()
    before = library.read_bytes()
    args = ["run", "--question", QUESTION, "--n", "2", "--max-tokens", "30", "--json"]
    for o in OPINIONS:
        args += ["--opinion", o]
    proc = cli(*args, "--session", "Table 1", home=home)
    assert proc.returncode == 2
    printed = json.loads(proc.stdout)  # the candidates are printed first …
    message = proc.stderr.strip().splitlines()[-1]  # … then one sentence naming the file
    assert "library.sqlite" in message and "newer version" in message, message
    kept = Path(message.split("kept in ")[1].rstrip("."))
    assert json.loads(kept.read_text())["run"]["candidates"] == printed["candidates"]
    assert library.read_bytes() == before
