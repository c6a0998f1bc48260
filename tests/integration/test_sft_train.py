"""`sft train` on real models: LoRA fine-tuning with torch, the adapter written for llama.cpp,
loaded by `run --adapter`; cancel keeps a checkpoint that resumes to the very same adapter."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from cli_runs import cli, run_json
from sample_inputs import POLIS
from session_samples import rated_session

from consensus_desktop.engine.adapter_file import check_adapter
from consensus_desktop.engine.engine import Engine
from consensus_desktop.engine.errors import GenerationCancelled
from consensus_desktop.errors import InputError
from consensus_desktop.model_catalog import sha256_of
from consensus_desktop.sft.learn import adapters_folder, learn_from_sessions
from consensus_desktop.sft.token_examples import as_model_sees, read_rows
from consensus_desktop.sft.train_run import TrainOutcome, TrainRequest, training_job
from consensus_desktop.sft.trainer import TrainProgress, checkpoint_path
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.store.transfer import export_session

pytestmark = pytest.mark.model
pytest.importorskip("torch", reason="sft train needs the [train] extra (CI installs it)")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`sft data` on one real training conversation, cut to its first six examples."""
    folder = tmp_path_factory.mktemp("sft")
    (folder / "polis").mkdir()
    (folder / "polis" / "bg2050-volunteers").symlink_to(POLIS / "bg2050-volunteers")
    full = folder / "all.jsonl"
    proc = cli("sft", "data", "--polis", str(folder / "polis"), "--out", str(full))
    assert proc.returncode == 0, proc.stderr
    small = folder / "data.jsonl"
    small.write_text("".join(full.read_text(encoding="utf-8").splitlines(True)[:6]))
    return small


def finish(request: TrainRequest, stop_after: int | None = None) -> TrainOutcome:
    """Drive the job as the app does; ``stop_after`` examples: ask it to stop."""
    seen = 0

    def should_stop() -> bool:
        return stop_after is not None and seen >= stop_after

    job = training_job(request, should_stop)
    while True:
        try:
            event = next(job)
        except StopIteration as done:
            return done.value
        if not isinstance(event, str):
            seen += 1


def adapter_arrays(path: Path) -> dict[str, np.ndarray]:
    from gguf import GGUFReader  # the [train] extra's reader, independent of our writer

    return {t.name: np.array(t.data) for t in GGUFReader(path).tensors}


def test_train_three_steps_then_run_with_the_adapter(
    data: Path, default_model_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "jury.gguf"
    before = sha256_of(default_model_path)
    proc = cli("sft", "train", "--data", str(data), "--out", str(out), "--max-steps", "3",
               "--batch", "2")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert [line.split(" · ")[0] for line in proc.stderr.splitlines() if line.startswith("step")] == [
        "step 0/3", "step 1/3", "step 2/3"]  # fmt: skip
    assert "left" in proc.stderr and f"Wrote {out}" in proc.stderr
    info = check_adapter(out, default_model_path)  # what llama.cpp needs, and the right base
    assert info.rank == 8 and info.alpha == 16.0 and len(info.weights) == 18 * 5
    card = json.loads(out.with_suffix(".card.json").read_text(encoding="utf-8"))
    assert card["base_model"] == {"file": default_model_path.name, "sha256": before}
    assert card["steps"] == 3 and len(card["loss_per_step"]) == 3
    assert card["data"]["examples_per_source"] == {"polis": 6}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jury.card.json", "jury.gguf"]
    base, tuned = run_json(), run_json("--adapter", str(out))
    texts = [[c["text"] for c in r["candidates"]] for r in (base, tuned)]
    assert texts[1] != texts[0]  # same seeds: the adapter changed what the model wrote
    assert sha256_of(default_model_path) == before  # the base file is never modified


def test_cancel_keeps_a_checkpoint_that_resumes_to_the_same_adapter(
    data: Path, default_model_path: Path, tmp_path: Path
) -> None:
    settings = {"data": data, "base": default_model_path, "max_steps": 3, "batch": 1}
    straight = finish(TrainRequest(out=tmp_path / "straight.gguf", **settings))
    out = tmp_path / "stopped.gguf"
    with pytest.raises(GenerationCancelled, match="after 2 of 3 steps"):
        finish(TrainRequest(out=out, **settings), stop_after=2)
    assert not out.exists() and checkpoint_path(out).is_file()
    with pytest.raises(InputError, match="other training settings"):
        finish(TrainRequest(out=out, resume=True, **{**settings, "batch": 2}))
    resumed = finish(TrainRequest(out=out, resume=True, **settings))
    assert resumed.steps == straight.steps == 3 and not checkpoint_path(out).exists()
    a, b = adapter_arrays(straight.adapter), adapter_arrays(resumed.adapter)
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_allclose(a[name], b[name], rtol=1e-5, atol=1e-7, err_msg=name)
    assert any(np.abs(v).max() > 0 for k, v in a.items() if k.endswith("lora_b"))


def test_smollm2_learns_through_llama_cpp(smollm2_path: Path, data: Path, tmp_path: Path) -> None:
    """The llama architecture (an instruct model, chat template): three steps on the same two
    examples raise llama.cpp's likelihood of them, so the weights reached the right tensors."""
    two = tmp_path / "two.jsonl"
    two.write_text("".join(data.read_text(encoding="utf-8").splitlines(True)[:2]))
    out = tmp_path / "smol.gguf"
    done = finish(TrainRequest(data=two, out=out, base=smollm2_path, epochs=3, batch=2,
                               learning_rate=1e-3))  # fmt: skip
    assert done.steps == 3 and done.last_loss < done.first_loss
    check_adapter(out, smollm2_path)
    rows, _ = read_rows(two)
    figures = []
    for adapter in (None, out):
        engine = Engine(smollm2_path, adapter=adapter)
        try:
            assert engine.model.chat_template is not None
            pairs = [as_model_sees(engine.model, r.prompt, r.completion) for r in rows]
            figures.append(sum(engine.log_likelihood(p, c) for p, c in pairs))
        finally:
            engine.close()
    assert figures[1] > figures[0] + 1.0, figures


def test_learning_from_past_sessions_writes_an_adapter_for_the_model_in_use(
    default_model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's job on a real session file: its best-rated statement and better revision."""
    monkeypatch.setenv("CONSENSUS_DESKTOP_HOME", str(tmp_path / "home"))  # its own adapters/
    store = SessionStore(tmp_path / "library.sqlite")
    session = export_session(store.db, rated_session(store, "jury", 0.0), tmp_path / "jury.sqlite")
    store.close()
    events = list(learn_from_sessions([session], default_model_path))
    outcome = events[-1]
    assert isinstance(outcome, TrainOutcome)
    assert "2 examples: 0 from 0 Polis" in " ".join(e for e in events if isinstance(e, str))
    assert outcome.steps == 10  # two examples: ten passes (at most 10), one step each
    assert max(e.step for e in events if isinstance(e, TrainProgress)) == 9
    folder = adapters_folder()
    assert outcome.adapter.parent == folder and outcome.adapter.name.startswith(
        f"{default_model_path.stem}-sessions-"
    )
    check_adapter(outcome.adapter, default_model_path)
    stem = outcome.adapter.stem
    assert {p.name for p in folder.iterdir() if p.name.startswith(stem)} == {
        f"{stem}.gguf", f"{stem}.card.json", f"{stem}.jsonl"}  # fmt: skip
