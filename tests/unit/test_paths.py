from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from consensus_desktop import paths


def test_home_override_moves_every_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path / "portable"))
    folders = [
        paths.data_dir(),
        paths.cache_dir(),
        paths.config_dir(),
        paths.logs_dir(),
        paths.models_dir(),
        paths.library_db_path().parent,
    ]
    for folder in folders:
        assert (tmp_path / "portable") in folder.parents or folder == tmp_path / "portable"
    assert len({paths.data_dir(), paths.cache_dir(), paths.config_dir(), paths.logs_dir()}) == 4


def test_without_override_uses_platformdirs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(paths.HOME_ENV, raising=False)
    # point the platform's user folders at tmp_path so the test itself never writes to real home
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    assert paths.data_dir() == tmp_path / "xdg-data" / paths.APP_NAME


def test_tests_run_inside_a_temporary_home(app_home: Path) -> None:
    assert paths.home_override() == app_home.resolve()
    assert str(paths.library_db_path()).startswith(str(app_home.resolve()))


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "consensus_desktop", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.mark.parametrize(
    "args", [("--version",), ("--help",), ("session", "--help"), ("run", "--help")]
)
def test_help_and_version_touch_no_folder(tmp_path: Path, args: tuple[str, ...]) -> None:
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o555)  # read-only home, as on a locked-down laptop
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.pop(paths.HOME_ENV, None)
    env["HOME"] = str(home)
    try:
        proc = _cli(env, *args)
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr == ""
        assert list(home.iterdir()) == []
        env[paths.HOME_ENV] = str(tmp_path / "portable")
        assert _cli(env, *args).returncode == 0
        assert not (tmp_path / "portable").exists()
    finally:
        home.chmod(0o755)
