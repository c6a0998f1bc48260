"""DeviceTopK.read on what llama.cpp hands back (its getters replaced by arrays; no model)."""

from __future__ import annotations

import ctypes

import llama_cpp
import numpy as np
import pytest

from consensus_desktop.engine.device_top_k import DeviceTopK
from consensus_desktop.engine.token_picker import top_k

VOCAB, K = 5_000, 4


def _serve(monkeypatch: pytest.MonkeyPatch, logits: list[np.ndarray], ids: list[np.ndarray]):
    """llama.cpp's sampled-output getters, answering from arrays by output row (negative index)."""

    def row(i: int) -> int:
        return len(logits) + i

    for name, arrays, kind in (
        ("logits", logits, ctypes.c_float),
        ("candidates", ids, ctypes.c_int32),
    ):

        def count(ctx: object, i: int, arrays: list[np.ndarray] = arrays) -> int:
            return len(arrays[row(i)])

        def pointer(ctx: object, i: int, arrays: list[np.ndarray] = arrays, kind: type = kind):
            return arrays[row(i)].ctypes.data_as(ctypes.POINTER(kind))

        monkeypatch.setattr(llama_cpp, f"llama_get_sampled_{name}_count_ith", count)
        monkeypatch.setattr(llama_cpp, f"llama_get_sampled_{name}_ith", pointer)


def _attached() -> DeviceTopK:
    device = DeviceTopK()
    device._ctx, device.k = ctypes.c_void_p(1), K  # as attach leaves it, without a context
    return device


def test_k_candidates_come_back_sorted_by_logit_then_id(monkeypatch: pytest.MonkeyPatch) -> None:
    logits = [np.array([0.5, 2.0, 2.0, -1.0], np.float32), np.array([1, 3, 2, 0], np.float32)]
    ids = [np.array([9, 70, 12, 3], np.int32), np.array([5, 6, 7, 8], np.int32)]
    _serve(monkeypatch, logits, ids)
    device = _attached()
    values, got = device.read(2, np.array([1, 0, 1]), VOCAB)
    assert got.tolist() == [[6, 7, 5, 8], [12, 70, 9, 3], [6, 7, 5, 8]]
    assert values[1].tolist() == [2.0, 2.0, 0.5, -1.0]
    assert not device.fell_back


def test_whole_rows_mean_the_top_k_did_not_run_and_are_searched_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A GPU backend without the top-k operation: llama.cpp leaves the chain out of the graph and
    returns every logit of the row (and no candidates)."""
    rng = np.random.default_rng(1)
    rows = [rng.normal(size=VOCAB).astype(np.float32) for _ in range(3)]
    full_ids = np.arange(VOCAB, dtype=np.int32)
    _serve(monkeypatch, rows, [full_ids] * 3)
    device = _attached()
    values, ids = device.read(3, np.array([2, 0]), VOCAB)
    want_values, want_ids = top_k(np.stack(rows), np.array([2, 0]), K)
    assert np.array_equal(values, want_values) and np.array_equal(ids, want_ids)
    assert device.fell_back


def test_anything_else_is_an_error_not_a_guess(monkeypatch: pytest.MonkeyPatch) -> None:
    _serve(monkeypatch, [np.zeros(K + 1, np.float32)], [np.arange(K + 1, dtype=np.int32)])
    with pytest.raises(RuntimeError, match="5 logits"):
        _attached().read(1, np.array([0]), VOCAB)
    with pytest.raises(RuntimeError, match="attached"):
        DeviceTopK().read(1, np.array([0]), VOCAB)
