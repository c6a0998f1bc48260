"""What the room sees, on the real default model: filters, the shortlist, stance-aware predictions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from consensus_desktop.screening import near_duplicate_share

pytestmark = pytest.mark.model
EXE = shutil.which("consensus-desktop") or "consensus-desktop"

CHILDCARE = {
    "question": "Should the government provide free childcare for all children under five?",
    "position": "The government should provide free childcare for all children under five.",
    "participants": [
        {
            "name": "A",
            "baseline": 7,
            "opinion": "Yes. Childcare costs keep parents, mostly mothers, out of work; free "
            "places pay for themselves through taxes.",
        },
        {
            "name": "B",
            "baseline": 4,
            "opinion": "I worry about quality. Free places mean overcrowded nurseries and "
            "underpaid staff; fund quality first.",
        },
        {
            "name": "C",
            "baseline": 2,
            "opinion": "No. Families should choose; give the money to parents as a tax credit "
            "and let them decide, including staying home.",
        },
        {
            "name": "D",
            "baseline": 4,
            "opinion": "Only for low-income families at first; universal schemes give money to "
            "people who do not need it.",
        },
        {
            "name": "E",
            "baseline": 2,
            "opinion": "Children do best at home in the early years. I would rather see longer "
            "paid parental leave.",
        },
    ],
}


def run(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, "run", "--in", str(path), "--json", *extra],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=900,
    )


def embed(texts: list[str]) -> np.ndarray:
    from consensus_desktop.engine.batch_generate import Progress
    from consensus_desktop.engine.engine import Engine
    from consensus_desktop.reward.minilm import minilm_path

    encoder = Engine(minilm_path())
    try:
        out = [e for e in encoder.embed(texts) if not isinstance(e, Progress)][-1]
    finally:
        encoder.close()
    return np.asarray(out)


@pytest.mark.slow
def test_childcare_shortlist_of_four_holds_no_near_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "childcare.json"
    path.write_text(json.dumps(CHILDCARE), encoding="utf-8")
    proc = run(path, "--n", "16", "--seed", "7")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    texts = [c["text"] for c in out["candidates"]]
    shortlist = out["shortlist"]
    assert len(shortlist) == min(4, sum(1 for c in out["candidates"] if c["folded"] >= 0))
    assert len(set(shortlist)) == len(shortlist) == 4
    assert near_duplicate_share(embed([texts[i] for i in shortlist])) == 0.0
    assert all({"text", "reason"} <= set(r) for r in out["rejected"])
    assert "baseline rating" in out["reward_model"]["validation"]


def test_run_json_has_shortlist_and_rejected(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(CHILDCARE), encoding="utf-8")
    proc = run(path, "--n", "4", "--max-tokens", "40", "--shortlist", "2")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    n = len(out["candidates"])
    assert 1 <= len(out["shortlist"]) <= 2 and all(0 <= i < n for i in out["shortlist"])
    assert isinstance(out["rejected"], list) and out["shortlist_rule"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"position": ""}, "position"),
        ({"participants": [{"opinion": "x y z", "baseline": 9}] * 3}, "from 1 to 7"),
        ({"participants": [{"opinion": "x y z", "baseline": 3}, {"opinion": "a b c"}]}, "every"),
    ],
)
def test_bad_baselines_are_one_clear_sentence(tmp_path: Path, change: dict, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**CHILDCARE, **change}), encoding="utf-8")
    proc = run(path)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr
