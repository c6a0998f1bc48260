"""The remembered hash of a model file is not trusted when the file was rewritten in place."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from consensus_desktop.model_catalog import DefaultModelUnavailable, sha256_of, verified_sha256


def test_a_rewrite_that_keeps_size_and_mtime_is_caught(tmp_path: Path) -> None:
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF" + bytes(4096))
    good = sha256_of(model)
    assert verified_sha256(model, good) == good  # hashes and remembers
    st = model.stat()
    with model.open("r+b") as fh:  # corrupt one byte, same size
        fh.seek(2000)
        fh.write(b"\x01")
    os.utime(model, ns=(st.st_atime_ns, st.st_mtime_ns))  # and put the mtime back
    assert model.stat().st_size == st.st_size and model.stat().st_mtime_ns == st.st_mtime_ns
    with pytest.raises(DefaultModelUnavailable, match=r"model\.gguf does not match"):
        verified_sha256(model, good)


def test_an_unchanged_file_is_not_hashed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF" + bytes(4096))
    good = verified_sha256(model)

    def no_hashing(path: Path, chunk: int = 0) -> str:
        raise AssertionError("hashed again")

    monkeypatch.setattr("consensus_desktop.model_catalog.sha256_of", no_hashing)
    assert verified_sha256(model, good) == good
