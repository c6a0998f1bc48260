"""`score` refuses bad rows and output paths with one sentence and exit 2, before any model work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consensus_desktop.cli.main import main

NO_MODEL = "/nonexistent/never-loaded.gguf"
ROW = {"id": 1, "question": "Q?", "opinion": "Yes.", "statement": "We agree."}


def score_error(
    tmp_path: Path, rows: list[object], capsys: pytest.CaptureFixture[str], out: Path | None = None
) -> str:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = out or tmp_path / "out.jsonl"
    code = main(["score", "--in", str(src), "--out", str(out), "--model", NO_MODEL])
    assert code == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    return lines[0].removeprefix("consensus-desktop: error: ").replace(str(src), "IN")


@pytest.mark.parametrize(
    ("rows", "sentence"),
    [
        ([], "IN has no rows to score."),
        (
            [[1, 2]],
            'IN, line 1: each row must be a JSON object with "id", "question", "opinion" and "statement", not a list.',
        ),
        ([{"opinion": "a", "statement": "b"}], 'IN, line 1: the row has no "id".'),
        ([{**ROW, "opinion": ""}], 'IN, line 1: "opinion" is missing or empty.'),
        ([{**ROW, "opinion": " \u200b "}], 'IN, line 1: "opinion" is missing or empty.'),
        ([{"id": 1, "opinion": "Yes."}], 'IN, line 1: "statement" is missing or empty.'),
        ([{**ROW, "statement": 3}], 'IN, line 1, "statement" must be text, not a number.'),
        ([ROW, ROW], "IN, line 2: the id 1 is already used on line 1; ids must be unique."),
        (
            [{**ROW, "id": {"a": 1}}],
            'IN, line 1: "id" must be text or a whole number, not an object.',
        ),
    ],
)
def test_bad_rows(
    tmp_path: Path, rows: list[object], sentence: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert score_error(tmp_path, rows, capsys) == sentence


def test_out_is_a_folder_or_in_a_missing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert score_error(tmp_path, [ROW], capsys, out=tmp_path) == (
        f"--out {tmp_path} is a folder; give a file name such as {tmp_path / 'scores.jsonl'}."
    )
    missing = tmp_path / "nowhere" / "o.jsonl"
    assert score_error(tmp_path, [ROW], capsys, out=missing) == (
        f"--out {missing}: the folder {missing.parent} does not exist."
    )


def test_out_not_writable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("os.access", lambda path, mode: False)  # root may write anywhere
    out = tmp_path / "o.jsonl"
    assert score_error(tmp_path, [ROW], capsys, out=out) == (
        f"--out {out} cannot be written: permission denied."
    )


def test_out_follows_the_rule_of_every_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No overwrite without --force, never the library, never its own --in (data loss before)."""
    from consensus_desktop import paths

    monkeypatch.setenv("CONSENSUS_DESKTOP_HOME", str(tmp_path / "home"))
    mine = tmp_path / "mine.jsonl"
    mine.write_text("keep me", encoding="utf-8")
    assert score_error(tmp_path, [ROW], capsys, out=mine) == (
        f"--out: {mine} already exists; choose another name, or use --force to replace it."
    )
    library = paths.library_db_path()
    library.parent.mkdir(parents=True, exist_ok=True)
    library.write_bytes(b"SQLite format 3\x00library")
    assert "is the app's library" in score_error(tmp_path, [ROW], capsys, out=library)
    src = tmp_path / "in.jsonl"
    assert score_error(tmp_path, [ROW], capsys, out=src) == (
        "--out IN is the --in file; choose another name for the scores."
    )
    assert mine.read_text(encoding="utf-8") == "keep me"
    assert library.read_bytes() == b"SQLite format 3\x00library"
    # with --force the existing file is accepted (the run then fails on the missing model)
    code = main(["score", "--in", str(src), "--out", str(mine), "--force", "--model", NO_MODEL])
    assert code == 2 and "--out" not in capsys.readouterr().err
    assert mine.read_text(encoding="utf-8") == "keep me"


def test_a_missing_head_is_named_before_the_model_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(ROW) + "\n", encoding="utf-8")
    head = tmp_path / "nowhere.npz"
    args = ["score", "--in", str(src), "--out", str(tmp_path / "o.jsonl"), "--head", str(head)]
    assert main([*args, "--model", NO_MODEL]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.endswith(f"{head} does not exist."), line  # not the card, not the model


def test_without_in(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["score", "--out", "x.jsonl"])
    assert info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "consensus-desktop score: error: the following arguments are required: --in"
    )


@pytest.mark.parametrize("existing", ["head.npz", "head.json"])
def test_reward_train_never_replaces_a_head_without_force(
    tmp_path: Path, existing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The head or its card already there: one sentence, exit 2, the file untouched (before any
    model or Polis data is read)."""
    (tmp_path / existing).write_text("mine", encoding="utf-8")
    out = tmp_path / "head.npz"
    args = ["reward", "train", "--polis", str(tmp_path / "no-polis"), "--out", str(out)]
    assert main([*args, "--model", NO_MODEL]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"consensus-desktop: error: {tmp_path / existing} already exists; choose another name, "
        "or use --force to replace it."
    ]
    assert (tmp_path / existing).read_text(encoding="utf-8") == "mine"
