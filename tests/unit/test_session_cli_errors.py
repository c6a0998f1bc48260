"""`session` commands: a wrong destination or source is one sentence and exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from consensus_desktop.cli.main import main
from consensus_desktop.store.session_store import SessionStore


@pytest.fixture()
def library(tmp_path: Path) -> Path:
    path = tmp_path / "library.sqlite"
    store = SessionStore(path)
    store.create_session("demo")
    store.close()
    return path


def error_of(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(args) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    return lines[0].removeprefix("consensus-desktop: error: ")


def test_csv_into_an_existing_file(
    tmp_path: Path, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "notes.txt"
    existing.write_text("mine")
    args = ["session", "--library", str(library), "csv", "demo", str(existing)]
    assert error_of(args, capsys) == (
        f"{existing} is a file, not a folder; give a folder for the CSV files."
    )
    assert existing.read_text() == "mine"


def test_export_to_a_folder(
    tmp_path: Path, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    args = ["session", "--library", str(library), "export", "demo", str(folder)]
    assert error_of(args, capsys) == f"{folder} is a folder; give a file name."
    assert list(tmp_path.glob("*.partial")) == [] and list(folder.iterdir()) == []


def test_import_of_a_file_that_is_not_a_session(
    tmp_path: Path, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.sqlite"
    notes.write_text("hello")
    args = ["session", "--library", str(library), "import", str(notes)]
    assert error_of(args, capsys).startswith("notes.sqlite ")
