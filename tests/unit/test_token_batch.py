"""The numpy-backed llama_batch and the streaming stop-string check (no model)."""

from __future__ import annotations

import random

import numpy as np

from consensus_desktop.engine.cleaning import StopScanner, cut_at_stop
from consensus_desktop.engine.token_batch import TokenBatch


def _read(batch: TokenBatch) -> list[tuple[int, int, list[int], int]]:
    """What llama.cpp sees through the struct's pointers."""
    b = batch.prepared()
    return [
        (b.token[i], b.pos[i], [b.seq_id[i][j] for j in range(b.n_seq_id[i])], b.logits[i])
        for i in range(b.n_tokens)
    ]


def test_batch_struct_points_at_what_was_added() -> None:
    batch = TokenBatch(8, 4)
    assert batch.add_run([11, 12, 13], 5, [0, 2, 3], False) == 0
    assert batch.add(14, 9, [1], True) == 3
    batch.add_steps(np.array([21, 22]), np.array([40, 41]), np.array([3, 0]))
    assert _read(batch) == [
        (11, 5, [0, 2, 3], 0),
        (12, 6, [0, 2, 3], 0),
        (13, 7, [0, 2, 3], 0),
        (14, 9, [1], 1),
        (21, 40, [3], 1),
        (22, 41, [0], 1),
    ]
    assert batch.room == 2
    batch.clear()
    batch.add_steps(np.array([7]), np.array([1]), np.array([2]))
    assert _read(batch) == [(7, 1, [2], 1)]


def test_a_full_batch_refuses_more() -> None:
    batch = TokenBatch(2, 1)
    batch.add_run([1, 2], 0, [0], False)
    try:
        batch.add(3, 2, [0], False)
    except ValueError as exc:
        assert "do not fit" in str(exc)
    else:
        raise AssertionError("expected ValueError")


def test_stop_scanner_agrees_with_cut_at_stop_on_every_prefix() -> None:
    rng = random.Random(7)
    alphabet = [
        "\n",
        "\n\n",
        " ",
        "We",
        " agree",
        ".",
        "Op",
        "inion",
        ":",
        "x",
        "é",
        "\n\nOpinion:",
    ]
    for stops in (["\n\n", "Opinion:"], ["."], [""], [], ["agree. Op"]):
        for _ in range(200):
            scanner = StopScanner(stops)
            text = ""
            for _ in range(rng.randint(1, 12)):
                piece = rng.choice(alphabet)
                text += piece
                hit = scanner.feed(piece)
                assert scanner.text == text
                assert hit == cut_at_stop(text, stops)[1], (stops, text)
                if hit:
                    break
