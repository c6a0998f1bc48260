"""Settings files are written like every other file: temporary name, fsync, rename (nothing half
written, nothing left behind); the server's API key file stays owner-only."""

from __future__ import annotations

import stat

from consensus_desktop import paths, server_config


def test_server_settings_are_owner_only_and_replace_the_old_file_whole() -> None:
    server_config.save(server_config.ServerSettings("http://127.0.0.1:9/v1", "m", True, "k" * 12))
    server_config.save(server_config.ServerSettings("http://127.0.0.1:9/v1", "n", True, "k" * 12))
    target = paths.config_dir() / server_config.FILE_NAME
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir() if p.name.startswith(".")] == []
    loaded = server_config.load()
    assert (loaded.model, loaded.api_key) == ("n", "k" * 12)
