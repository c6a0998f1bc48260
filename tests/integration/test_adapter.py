"""LoRA adapters on the real default model: written by our GGUF writer, checked against the base
before llama.cpp loads them, applied to generation by `run --adapter`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cli_runs import cli, run_json
from sample_inputs import OPINIONS, QUESTION

from consensus_desktop.engine.adapter_file import (
    BASE_FILE_KEY,
    BASE_SHA256_KEY,
    AdapterError,
    check_adapter,
    write_adapter,
    write_gguf,
)
from consensus_desktop.engine.gguf_header import read_gguf_header
from consensus_desktop.errors import InputError
from consensus_desktop.model_catalog import sha256_of

pytestmark = pytest.mark.model
RANK = 8


def random_weights(base: Path, layers: int = 4, seed: int = 0) -> dict:
    """Small random lora_a / lora_b for the query and value weights of the first layers."""
    tensors = read_gguf_header(base).tensors
    rng = np.random.default_rng(seed)
    out = {}
    for layer in range(layers):
        for kind in ("attn_q", "attn_v"):
            name = f"blk.{layer}.{kind}.weight"
            n_in, n_out = tensors[name][0]
            a = rng.normal(0, 0.05, (RANK, n_in)).astype(np.float32)
            b = rng.normal(0, 0.05, (n_out, RANK)).astype(np.float32)
            out[name] = (a, b)
    return out


@pytest.fixture(scope="module")
def adapter(default_model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("adapter") / "random-lora.gguf"
    return write_adapter(target, default_model_path, random_weights(default_model_path), 16.0)


def test_writer_and_reader_agree(adapter: Path, default_model_path: Path) -> None:
    info = check_adapter(adapter, default_model_path)
    assert info.architecture == "gemma3" and info.rank == RANK and info.alpha == 16.0
    assert len(info.weights) == 8 and info.base_sha256 == sha256_of(default_model_path)
    header = read_gguf_header(adapter)
    assert header.metadata["general.type"] == "adapter"
    assert header.metadata["adapter.type"] == "lora"
    dims, ggml_type = header.tensors["blk.0.attn_q.weight.lora_a"]
    base_dims = read_gguf_header(default_model_path).tensors["blk.0.attn_q.weight"][0]
    assert dims == (base_dims[0], RANK) and ggml_type == 0  # ggml order [n_in, r], float32
    assert header.tensors["blk.0.attn_q.weight.lora_b"][0] == (RANK, base_dims[1])
    assert header.data_end == header.file_size
    with pytest.raises(Exception, match="already exists"):
        write_adapter(adapter, default_model_path, random_weights(default_model_path), 16.0)
    a, b = random_weights(default_model_path)["blk.0.attn_q.weight"]
    refused = adapter.with_name("transposed.gguf")
    with pytest.raises(InputError, match="lora_a must be"):
        write_adapter(refused, default_model_path, {"blk.0.attn_q.weight": (b, a)}, 16.0)
    with pytest.raises(InputError, match="no weight matrix"):
        write_adapter(refused, default_model_path, {"blk.99.attn_q.weight": (a, b)}, 16.0)
    assert sorted(p.name for p in adapter.parent.iterdir()) == [
        adapter.name
    ]  # nothing half-written


def test_run_with_the_adapter_differs_from_the_base_model(
    adapter: Path, default_model_path: Path
) -> None:
    before = (sha256_of(default_model_path), default_model_path.stat().st_mtime_ns)
    base = run_json()
    again = run_json()
    tuned = run_json("--adapter", str(adapter))
    texts = [[c["text"] for c in r["candidates"]] for r in (base, again, tuned)]
    assert texts[0] == texts[1]  # same seeds, same model: same candidates
    assert texts[2] != texts[0] and len(texts[2]) == 4  # the adapter changed what was written
    assert tuned["model"] == f"{default_model_path.name} + {adapter.name}"
    assert tuned["model_sha256"] == base["model_sha256"]
    assert (sha256_of(default_model_path), default_model_path.stat().st_mtime_ns) == before


def _wrong(path: Path, **meta: object) -> Path:
    metadata = {
        "general.type": "adapter",
        "general.architecture": "gemma3",
        "adapter.type": "lora",
        "adapter.lora.alpha": 16.0,
        **meta,
    }
    rng = np.random.default_rng(1)
    # the shapes of SmolLM2-135M's query weight (576 x 576): another model's adapter
    weights = {"blk.0.attn_q.weight": (rng.random((RANK, 576)), rng.random((576, RANK)))}
    return write_gguf(path, metadata, weights)  # type: ignore[arg-type]


def test_adapters_that_do_not_fit_are_refused_in_one_sentence(
    adapter: Path, default_model_path: Path, tmp_path: Path
) -> None:
    truncated = tmp_path / "truncated.gguf"
    truncated.write_bytes(adapter.read_bytes()[: adapter.stat().st_size // 2])
    not_gguf = tmp_path / "notes.gguf"
    not_gguf.write_text("not a model")
    cases = {
        _wrong(tmp_path / "shapes.gguf"): "do not fit",
        _wrong(
            tmp_path / "other.gguf",
            **{BASE_FILE_KEY: "SmolLM2-135M.gguf", BASE_SHA256_KEY: "0" * 64},
        ): "made for SmolLM2-135M.gguf",
        _wrong(tmp_path / "llama.gguf", **{"general.architecture": "llama"}): "llama architecture",
        _wrong(tmp_path / "model.gguf", **{"general.type": "model"}): "not a LoRA adapter",
        truncated: "cut short",
        not_gguf: "not a GGUF",
        tmp_path / "missing.gguf": "does not exist",
    }
    for path, said in cases.items():
        with pytest.raises(AdapterError, match=said):
            check_adapter(path, default_model_path)
    for path in (tmp_path / "shapes.gguf", tmp_path / "other.gguf", truncated):
        proc = cli("run", "--question", QUESTION, "--opinion", OPINIONS[0], "--opinion",
                   OPINIONS[1], "--n", "2", "--adapter", str(path))  # fmt: skip
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and path.name in lines[0] and "Traceback" not in proc.stderr
        assert proc.stdout == ""
