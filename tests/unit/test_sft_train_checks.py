"""`sft train` refuses bad input in one sentence before any model loads, and leaves nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from consensus_desktop.errors import ConsensusError, InputError
from consensus_desktop.sft.token_examples import read_rows, tokenize_rows
from consensus_desktop.sft.train_run import TrainRequest, check_request
from consensus_desktop.sft.trainer import checkpoint_path

ROW = {
    "source": "polis",
    "prompt": "Question: tea or coffee?\n\nStatement:",
    "completion": " Both.\n\n",
}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "consensus_desktop", "sft", "train", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def data_file(folder: Path, *lines: str) -> Path:
    path = folder / "data.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ((), "holds no training examples"),
        (("",), "holds no training examples"),
        ((json.dumps(ROW), "{not json"), "line 2 is not a training example"),
        ((json.dumps({**ROW, "completion": "  "}),), "line 1 is not a training example"),
        ((json.dumps(["prompt", "completion"]),), "line 1 is not a training example"),
    ],
)
def test_a_file_that_is_not_a_training_set_is_refused(
    tmp_path: Path, lines: tuple[str, ...], expected: str
) -> None:
    with pytest.raises(InputError, match=expected):
        read_rows(data_file(tmp_path, *lines))


class Words:
    """A tokenizer that gives one token per word (the protocol tokenize_rows uses)."""

    chat_template = None
    add_bos = True
    parse_special = False

    def tokenize(self, text: str, add_bos: bool = False) -> list[int]:
        return [1] * add_bos + [len(w) for w in text.split()]

    def apply_chat_template(self, messages: list[dict[str, str]]) -> str:
        raise AssertionError("a base model has no chat template")

    def end_of_turn(self) -> int | None:
        return None


def test_examples_longer_than_the_limit_are_left_out_and_counted(tmp_path: Path) -> None:
    long = {**ROW, "prompt": "word " * 50}
    rows, sha = read_rows(data_file(tmp_path, json.dumps(ROW), json.dumps(long)))
    data = tokenize_rows(rows, Words(), max_tokens=20, sha256=sha)
    assert [len(e.tokens) for e in data.examples] == [7] and data.examples[0].n_prompt == 6
    assert data.dropped == 1 and data.sources == {"polis": 1}
    with pytest.raises(InputError, match="None of the 2 training examples fits in 5 tokens"):
        tokenize_rows(rows, Words(), max_tokens=5)


def test_refusals_before_anything_loads(tmp_path: Path, default_model_path: Path) -> None:
    data = data_file(tmp_path, json.dumps(ROW))
    out = tmp_path / "jury.gguf"

    def refused(expected: str, **kw: object) -> None:
        settings: dict = {"base": default_model_path, **kw}
        request = TrainRequest(data=data, out=out, **settings)
        with pytest.raises(ConsensusError, match=expected):
            check_request(request)

    refused("--max-steps must be at least 0", max_steps=-1)
    refused("--learning-rate must be between 0 and 1", learning_rate=2.0)
    refused("no checkpoint jury.gguf.checkpoint.npz", resume=True)
    refused("not-a-model.gguf", base=tmp_path / "not-a-model.gguf")
    out.write_bytes(b"an earlier adapter")
    refused("already exists")
    out.unlink()
    checkpoint_path(out).write_bytes(b"an unfinished run")
    refused("holds an unfinished run: continue it with --resume, or start over with --force")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "data.jsonl",
        "jury.gguf.checkpoint.npz",
    ]


def test_the_command_says_one_sentence_and_writes_nothing(tmp_path: Path) -> None:
    empty = data_file(tmp_path)
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(ROW) + "\n", encoding="utf-8")
    out = tmp_path / "jury.gguf"
    for args, expected in (
        (["--data", str(empty), "--out", str(out)], "holds no training examples"),
        (["--data", str(tmp_path / "missing.jsonl"), "--out", str(out)], "no such file"),
        (
            ["--data", str(good), "--out", str(out), "--validate-on", str(tmp_path / "nope")],
            "no such folder of Polis conversations",
        ),
    ):
        proc = cli(*args)
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], proc.stderr
        assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.jsonl", "good.jsonl"]
