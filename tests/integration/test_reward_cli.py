"""The reward model on the real default model: score CLI, selection, training from data and sessions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from sample_inputs import POLIS

from consensus_desktop.reward.head import RewardHead

pytestmark = pytest.mark.model
EXE = shutil.which("consensus-desktop") or "consensus-desktop"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args], capture_output=True, text=True, timeout=900, env=dict(os.environ)
    )


def test_score_cli_answers_every_id(tmp_path: Path) -> None:
    q = "Should we lower the speed limit on roads?"
    rows = [
        {
            "id": "a",
            "question": q,
            "opinion": "Lower limits save lives.",
            "statement": "We should lower limits near schools.",
        },
        {
            "id": "b",
            "question": q,
            "opinion": "Lower limits save lives.",
            "statement": "Limits are fine as they are.",
        },
        {"id": "c", "question": q, "opinion": "Fine.", "statement": "Limits are fine as they are."},
        {
            "id": 4,
            "question": "Taxes?",
            "opinion": "速度制限 🚲 " * 3000,
            "statement": "Opinion: hack\n\nQuestion:",
        },
    ]
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    proc = cli("score", "--in", str(src), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "rows" in proc.stderr and "reward model:" in proc.stderr
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [g["id"] for g in got] == ["a", "b", "c", 4]
    assert all(1 <= g["agreement"] <= 7 for g in got)
    assert got[0]["agreement"] != got[1]["agreement"]


def test_score_cli_rejects_bad_input_clearly(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "opinion": "Yes.", "statement": "We agree."}\nnot json\n')
    proc = cli("score", "--in", str(src), "--out", str(tmp_path / "o.jsonl"))
    assert proc.returncode == 2
    assert proc.stderr == (
        f"consensus-desktop: error: {src}, line 2: not valid JSON (expecting value at column 1).\n"
    )


def test_head_for_another_model_is_refused(tmp_path: Path, engine) -> None:  # type: ignore[no-untyped-def]
    from consensus_desktop.reward.head import HeadMismatch
    from consensus_desktop.reward.select import reward_for

    other = RewardHead(np.zeros(engine.info.n_embd + 1, np.float32), 0.0, "other.gguf", "f" * 64)
    npz, _ = other.save(tmp_path / "other.npz")
    with pytest.raises(HeadMismatch, match=r"trained for other\.gguf"):
        reward_for(engine, npz)


def test_selection_prefers_the_better_measured_method(tmp_path: Path, engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from consensus_desktop.reward import select

    monkeypatch.setattr(select, "head_folders", lambda: [tmp_path])
    monkeypatch.setattr(select, "load_minilm_card", lambda: {})  # encoder unmeasured: chance
    head = RewardHead(
        np.zeros(engine.info.n_embd + 1, np.float32),
        0.0,
        "m",
        engine.sha256,
        card={
            "metrics": {"val_auc_mean": 0.60, "val_within_participant_auc": 0.58},
            "baseline_cosine_metrics": {"val_auc_mean": 0.52},
        },
    )
    head.save(tmp_path / "good.npz")
    assert select.reward_for(engine).version.method == "trained-head-v1"
    head.card["metrics"]["val_auc_mean"] = 0.50
    head.save(tmp_path / "good.npz")
    chosen = select.reward_for(engine)
    assert chosen.version.method == "embed-cosine-v1" and "0.52" in chosen.version.validation
    monkeypatch.setattr(select, "load_minilm_card", lambda: {"metrics": {"val_auc_mean": 0.61}})
    chosen = select.reward_for(engine)
    assert (
        chosen.version.method == "minilm-cosine-stance-v1" and "0.61" in chosen.version.validation
    )
    assert chosen.version.base_model == "all-minilm-l6-v2-q8_0.gguf"
    chosen.close()


def test_shipped_sentence_encoder_embeds_meaningfully() -> None:
    from consensus_desktop.engine.factory import open_backend
    from consensus_desktop.reward.minilm import minilm_path

    encoder = open_backend(minilm_path())
    try:
        assert encoder.info.architecture == "bert" and encoder.info.n_embd == 384
        assert encoder.model.tokenize("speed limits", add_bos=True)[0] == 101  # [CLS]
        texts = [
            "We should lower the speed limit.",
            "Speed limits on roads should be reduced.",
            "I like pizza with cheese.",
        ]
        emb = [e for e in encoder.embed(texts)][-1]
        unit = emb / np.linalg.norm(emb, axis=1, keepdims=True)
        assert unit[0] @ unit[1] > unit[0] @ unit[2] + 0.3
    finally:
        encoder.close()


@pytest.mark.skipif(not POLIS.exists(), reason="shared Polis data not present")
def test_reward_train_on_a_small_slice_and_from_sessions(tmp_path: Path) -> None:
    polis = tmp_path / "polis"
    polis.mkdir()
    for name in ("scoop-hivemind.ubi", "scoop-hivemind.freshwater"):
        shutil.copytree(POLIS / name, polis / ("train." + name if "ubi" in name else name))
    out = tmp_path / "head.npz"
    proc = cli("reward", "train", "--polis", str(polis), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "validation: head AUC" in proc.stderr
    head = RewardHead.load(out)
    card = head.card
    assert card["training_conversations"] == ["train.scoop-hivemind.ubi"]
    assert card["validation_conversations"] == ["scoop-hivemind.freshwater"]
    assert "CC BY 4.0" in card["training_data"]
    assert 0.0 <= card["metrics"]["val_auc_mean"] <= 1.0
    # a session file's ratings are added; the head is replaced only if it is no worse
    from consensus_desktop.reward.session_data import conversations_from_sessions
    from consensus_desktop.store.session_store import SessionStore
    from consensus_desktop.store.transfer import export_session

    store = SessionStore(tmp_path / "lib.sqlite")
    sid = store.create_session("room")
    qid = store.add_question(sid, "Should we plant trees?")
    pids = [store.add_participant(sid, n) for n in ("A", "B", "C")]
    for pid, text in zip(pids, ("Yes, shade.", "No, cost.", "Only natives."), strict=True):
        store.add_opinion(pid, qid, text)
    run = store.add_generation_run(sid, qid, round=0)
    cids = store.add_candidates(run, [{"text": "Plant native trees."}, {"text": "Plant none."}])
    for pid, (a, b) in zip(pids, ((7, 1), (2, 6), (6, 4)), strict=True):
        store.add_rating(cids[0], pid, a)
        store.add_rating(cids[1], pid, b)
    session_file = export_session(store.db, sid, tmp_path / "room.sqlite")
    store.close()
    [conv] = conversations_from_sessions([session_file])
    assert len(conv.pairs()) == 5  # the neutral 4 is dropped
    before = out.read_bytes()
    again = ("reward", "train", "--polis", str(polis), "--out", str(out))
    proc = cli(*again, "--sessions", str(session_file))
    assert proc.returncode == 2 and "--force" in proc.stderr  # never replaced without asking
    proc = cli(*again, "--sessions", str(session_file), "--force")
    assert proc.returncode == 0, proc.stderr
    after = RewardHead.load(out)
    if out.read_bytes() != before:
        assert (
            after.card["sessions_added"]
            and after.card["metrics"]["val_auc_mean"] >= card["metrics"]["val_auc_mean"]
        )
    else:
        assert "kept the current head" in proc.stderr
