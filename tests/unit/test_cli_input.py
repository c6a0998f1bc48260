"""`run` refuses bad parameters and `--in` files with one sentence and exit code 2, before any
model work (these tests never load a model: a model load would fail on the fake path)."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from consensus_desktop.cli.main import main
from consensus_desktop.cli.run_cmd import read_run_file

NO_MODEL = "/nonexistent/never-loaded.gguf"
GOOD = ["run", "--question", "Speed limits?", "--opinion", "Lower.", "--opinion", "Keep."]


def error_of(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The one stderr line of a run that must exit with code 2."""
    try:
        code = main([*args, "--model", NO_MODEL])
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    assert code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 or lines[0].startswith("usage:"), lines
    assert "Traceback" not in lines[-1]
    return lines[-1].removeprefix("consensus-desktop: error: ")


# the generation arguments `run` and `plenary` share (cli.common.add_generation_arguments)
GENERATION_CASES = [
    (["--max-tokens", "0"], "The token limit per statement must be from 8 to 4096, not 0."),
    (["--temperature", "-1"], "The temperature must be from 0 to 5, not -1."),
    (["--temperature", "nan"], "The temperature must be from 0 to 5, not nan."),
    (["--n", "10000"], "The number of candidates must be from 1 to 256, not 10000."),
    (["--n", "0"], "The number of candidates must be from 1 to 256, not 0."),
    (["--seed", "-3"], "The seed must be from 0 to 2147483647, not -3."),
]


@pytest.mark.parametrize(
    ("extra", "sentence"),
    [
        *GENERATION_CASES,
        (
            ["--name", "Ann", "--name", "ann"],
            "Participants 1 and 2 have the same name 'ann'; give each a different one.",
        ),
        (["--name", "Ann"], "Give one name per opinion, or none: 1 names for 2 opinions."),
        (
            ["--opinion", " \u200b "],
            "The opinion of P3 is empty: please write at least a few words.",
        ),
    ],
)
def test_bad_parameters(
    extra: list[str], sentence: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert error_of([*GOOD, *extra], capsys) == sentence


@pytest.mark.parametrize("flag", ["--session", "--assembly", "--table"])
def test_labels_with_control_characters_are_refused(
    flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert error_of([*GOOD, flag, "T\u202e1\x00"], capsys) == (
        f"{flag} holds an invisible format character (U+202E); type the name without it."
    )


@pytest.mark.parametrize(
    ("extra", "sentence"),
    [
        (["--server", " "], "--server is empty: give a server URL like http://127.0.0.1:8080/v1."),
        (
            ["--assembly", "A"],
            "--assembly and --table mark a recorded table: give --session NAME too.",
        ),
        (
            ["--name", "Ann", "--name", "Ben\u202e"],
            "The name of participant 2 holds an invisible format character (U+202E).",
        ),
    ],
)
def test_arguments_that_would_be_ignored_or_stored_raw(
    extra: list[str], sentence: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert error_of([*GOOD, *extra], capsys) == sentence


def test_missing_question(capsys: pytest.CaptureFixture[str]) -> None:
    assert error_of(["run", "--opinion", "x"], capsys) == (
        "Give a question (--question or --in FILE)."
    )


def write(tmp_path: Path, data: object, name: str = "in.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (
            ["Lower.", "Keep."],
            '{f} must hold one JSON object {{"question": …, "participants": […]}}, not a list.',
        ),
        (
            {"question": "Q?", "participants": ["Ann", "Ben"]},
            '{f}: participant 1 must be an object {{"name": …, "opinion": …}}, not text.',
        ),
        (
            {"question": "Q?", "participants": [1, 2]},
            '{f}: participant 1 must be an object {{"name": …, "opinion": …}}, not a number.',
        ),
        (
            {"question": "Q?", "participants": [{"name": 7, "opinion": "x"}]},
            '{f}: participant 1, "name" must be text, not a number.',
        ),
        (
            {"question": "Q?", "participants": {"Ann": "x"}},
            '{f}: "participants" must be a list, not an object.',
        ),
        ({"question": ["Q?"], "opinions": ["x"]}, '{f}: "question" must be text, not a list.'),
        ({"question": "Q?", "opinions": [1]}, '{f}: "opinions" item 1 must be text, not a number.'),
        (
            {"question": "Q?", "participants": [{"name": "A", "opinion": "x"}] * 2},
            "Participants 1 and 2 have the same name 'A'; give each a different one.",
        ),
    ],
)
def test_bad_in_shapes(
    tmp_path: Path, data: object, sentence: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, data)
    assert error_of(["run", "--in", str(path)], capsys) == sentence.format(f=path)


def test_in_file_errors_name_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.json"
    assert error_of(["run", "--in", str(missing)], capsys) == (
        f"cannot read {missing}: no such file or directory."
    )
    bad = tmp_path / "bad.json"
    bad.write_text('{"question": "Q?",', encoding="utf-8")
    assert error_of(["run", "--in", str(bad)], capsys) == (
        f"{bad} is not valid JSON: expecting property name enclosed in double quotes "
        "at line 1, column 19."
    )
    latin = tmp_path / "latin1.json"
    latin.write_bytes('{"question": "Caf\u00e9?"}'.encode("latin-1"))
    assert error_of(["run", "--in", str(latin)], capsys) == (
        f"{latin} is not UTF-8 text: the byte at offset 17 (0xe9) cannot be decoded; "
        "save the file as UTF-8."
    )


def test_in_file_and_command_line_opinions_are_not_mixed_silently(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, {"question": "Q?", "opinions": ["From the file."]})
    assert error_of(["run", "--in", str(path), "--opinion", "Mine."], capsys) == (
        f"Give the opinions either in --in {path} or with --opinion, not both: "
        f"{path}'s opinions would replace the --opinion ones."
    )


def test_a_folder_for_a_session_file_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["session", "import", str(tmp_path)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.endswith(f"{tmp_path} is a folder; give the session file inside it."), line


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: codecs.BOM_UTF8 + s.encode("utf-8"),
        lambda s: s.encode("utf-16"),  # with its byte-order mark, as Windows Notepad saves
    ],
)
def test_utf8_with_or_without_bom_and_utf16_are_read(tmp_path: Path, encode: object) -> None:
    data = {"question": "Caf\u00e9?", "participants": [{"name": "Zo\u00eb", "opinion": "Oui."}]}
    path = tmp_path / "in.json"
    path.write_bytes(encode(json.dumps(data, ensure_ascii=False)))  # type: ignore[operator]
    assert read_run_file(path) == ("Caf\u00e9?", ["Oui."], ["Zo\u00eb"], "", ())


def test_unreadable_model_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "locked.gguf"
    model.write_bytes(b"GGUF" + bytes(64))
    original = Path.open

    def locked(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self == model:
            raise PermissionError(13, "Permission denied", str(self))
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", locked)
    code = main([*GOOD, "--model", str(model)])
    assert code == 2
    assert capsys.readouterr().err == (
        f"consensus-desktop: error: The model file {model} cannot be read: Permission denied.\n"
    )


@pytest.mark.parametrize(
    ("extra", "sentence"),
    [
        *GENERATION_CASES,
        (["--alpha", "nan"], ": 'nan' is not a welfare alpha: give a number >= 0, 'nash' or 'inf'"),
    ],
)
def test_plenary_checks_its_generation_arguments_like_run(
    tmp_path: Path, extra: list[str], sentence: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`plenary` shares run's --n/--alpha/--seed/--max-tokens/--temperature and their checks: the
    same sentence, exit 2, before the table files are read or a model is loaded."""
    from test_assembly_tables import make_table

    tables = [str(make_table(tmp_path, name, label=name[-1])) for name in ("Table A", "Table B")]
    assert error_of(["plenary", "--tables", *tables, *extra], capsys).endswith(sentence)
    missing = [str(tmp_path / "no-such-table.sqlite"), str(tmp_path / "nor-this.sqlite")]
    assert error_of(["plenary", "--tables", *missing, *extra], capsys).endswith(sentence)
    assert error_of([*GOOD, *extra], capsys).endswith(sentence)
