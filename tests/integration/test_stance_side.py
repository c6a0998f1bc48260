"""Which side a statement is on, with the real shipped models (MiniLM + the stance model).

Four of five people oppose a bypass, one supports it: a statement supporting the bypass must rank
below one opposing it at alpha = 0, and the supporter must be the one predicted lowest on the
opposing statement, both from the opinions alone (``score``) and with the position statement and
baseline ratings (as ``run --in`` passes them).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.model
EXE = shutil.which("consensus-desktop") or "consensus-desktop"

QUESTION = "Should our town build the new bypass road around the centre?"
POSITION = "Our town should build the new bypass road around the centre."
PEOPLE = [  # (opinion, baseline rating of POSITION)
    (
        "Yes. Lorries rumble through the high street all day; a bypass would give the centre back "
        "to people walking and cycling.",
        7,
    ),
    (
        "No. It would pave over farmland and the water meadows, and new roads just fill up with "
        "more traffic within a few years.",
        1,
    ),
    ("I am against it. The money would do far more for buses and safer cycling routes in town.", 2),
    (
        "It will cost a fortune and the shops in the centre will lose the passing trade they "
        "depend on.",
        2,
    ),
    (
        "No, the noise would move to the villages on the new route, and the people there were "
        "never asked.",
        1,
    ),
]
SUPPORTS = (
    "We support building the bypass: it takes the lorries out of the high street and makes the "
    "centre safer."
)
OPPOSES = (
    "We oppose building the bypass: it would destroy farmland, cost too much and bring more "
    "traffic; spend the money on buses instead."
)


def check(matrix: np.ndarray) -> None:
    """Rows: SUPPORTS, OPPOSES; columns: PEOPLE."""
    from consensus_desktop.welfare.isoelastic import welfare

    w = welfare(matrix, 0.0)
    assert w[1] > w[0], matrix  # the opposing statement wins at alpha = 0
    assert int(np.argmin(matrix[1])) == 0, matrix  # the supporter is lowest on it
    assert int(np.argmax(matrix[0])) == 0, matrix  # and highest on the supporting one


def test_score_cli_puts_the_statement_on_the_majority_side_first(tmp_path: Path) -> None:
    rows = [
        {"id": f"{s}-{i}", "question": QUESTION, "opinion": o, "statement": text}
        for s, text in (("sup", SUPPORTS), ("opp", OPPOSES))
        for i, (o, _) in enumerate(PEOPLE)
    ]
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    proc = subprocess.run(
        [EXE, "score", "--in", str(src), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ),
    )
    assert proc.returncode == 0, proc.stderr
    got = {r["id"]: r["agreement"] for r in map(json.loads, out.read_text().splitlines())}
    matrix = np.array([[got[f"{s}-{i}"] for i in range(len(PEOPLE))] for s in ("sup", "opp")])
    check(matrix)


def test_baseline_ratings_and_position_put_the_supporter_lowest() -> None:
    from consensus_desktop.engine.types import Progress
    from consensus_desktop.reward.select import stance_reward
    from consensus_desktop.reward.stance_reward import METHOD

    reward = stance_reward()
    try:
        assert reward.version.method == METHOD
        assert "baseline rating" in reward.version.validation
        events = reward.predict(
            QUESTION,
            [o for o, _ in PEOPLE],
            [SUPPORTS, OPPOSES],
            position=POSITION,
            baselines=[b for _, b in PEOPLE],
        )
        matrix = [e for e in events if not isinstance(e, Progress)][-1]
    finally:
        reward.close()
    check(np.asarray(matrix))


def test_without_the_stance_files_the_cosine_reward_is_used(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    from consensus_desktop.reward.minilm_cosine import METHOD
    from consensus_desktop.reward.select import stance_reward

    reward = stance_reward(tmp_path)  # an empty folder: no card, head or encoder
    reward.close()
    assert reward.version.method == METHOD
    assert "cannot tell which side" in caplog.text


@pytest.mark.slow
def test_run_in_ranks_by_the_majority_side(tmp_path: Path) -> None:
    """``run --in`` end to end (generator, position, baselines): the alpha = 0 winner does not
    support the bypass, and on the most opposing candidate the supporter is predicted lowest."""
    from consensus_desktop.reward.select import stance_reward
    from consensus_desktop.reward.stance_model import side
    from consensus_desktop.reward.stance_reward import METHOD

    case = {
        "question": QUESTION,
        "position": POSITION,
        "participants": [
            {"name": f"P{i + 1}", "opinion": o, "baseline": b} for i, (o, b) in enumerate(PEOPLE)
        ],
    }
    path = tmp_path / "bypass.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    proc = subprocess.run(
        [EXE, "run", "--in", str(path), "--json", "--n", "6", "--seed", "7", "--alpha", "0"],
        capture_output=True,
        text=True,
        timeout=900,
        env=dict(os.environ),
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["reward_model"]["method"] == METHOD
    texts = [c["text"] for c in out["candidates"]]  # ranked by welfare, best first
    agreement = np.array([c["agreement"] for c in out["candidates"]])
    reward = stance_reward()
    try:
        probs = [e for e in reward.stance_model.probabilities(POSITION, texts)][-1]
    finally:
        reward.close()
    sides = side(np.asarray(probs))
    assert sides[0] <= 0.0, list(zip(texts, sides, strict=True))
    most_opposing = int(np.argmin(sides))
    assert sides[most_opposing] < 0 and int(np.argmin(agreement[most_opposing])) == 0
