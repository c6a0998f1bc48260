"""Every user-facing failure is one of four error kinds; the CLI turns each into exit 2 and one line."""

from __future__ import annotations

import pytest

from consensus_desktop.cli.main import main
from consensus_desktop.engine.errors import ContextBudgetError, ModelError
from consensus_desktop.errors import (
    ConsensusError,
    InputError,
    ModelFileError,
    ServerError,
    StorageError,
)
from consensus_desktop.model_catalog import DefaultModelUnavailable
from consensus_desktop.model_downloads import DownloadFailed
from consensus_desktop.prompts import EmptyTextError
from consensus_desktop.store.database import SessionFileError


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ModelError, ModelFileError),
        (DefaultModelUnavailable, ModelFileError),
        (ContextBudgetError, InputError),
        (EmptyTextError, InputError),
        (SessionFileError, StorageError),
        (DownloadFailed, ServerError),
    ],
)
def test_each_core_error_is_one_of_the_four_kinds(error: type, kind: type) -> None:
    assert issubclass(error, kind) and issubclass(kind, ConsensusError)


@pytest.mark.parametrize(
    "error", [InputError, ModelFileError, StorageError, ServerError, ContextBudgetError]
)
def test_cli_maps_each_kind_to_exit_2_and_one_line(
    error: type, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from consensus_desktop.cli import run_cmd

    def boom(args: object) -> int:
        raise error("the file x.json has no question.")

    monkeypatch.setattr(run_cmd, "main", boom)
    assert main(["run", "--question", "q", "--opinion", "o"]) == 2
    err = capsys.readouterr().err
    assert err == "consensus-desktop: error: the file x.json has no question.\n"


def test_cli_names_the_file_of_an_os_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from consensus_desktop.cli import run_cmd

    def boom(args: object) -> int:
        raise PermissionError(13, "Permission denied", "/x/model.gguf")

    monkeypatch.setattr(run_cmd, "main", boom)
    assert main(["run", "--question", "q", "--opinion", "o"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["consensus-desktop: error: cannot use /x/model.gguf: permission denied."]


@pytest.mark.parametrize("alpha", ["-1", "nan", "banana"])
def test_bad_alpha_is_named(alpha: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--question", "q", "--opinion", "o", "--alpha", alpha])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"'{alpha}' is not a welfare alpha: give a number >= 0, 'nash' or 'inf'" in err
    assert "parse_alpha" not in err
