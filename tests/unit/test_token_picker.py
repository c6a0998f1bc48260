"""The vectorised token picker on synthetic logits (no model)."""

from __future__ import annotations

import numpy as np
import pytest

from consensus_desktop.engine.token_picker import (
    DRAW_BLOCK,
    FIRST,
    PickSettings,
    TokenPicker,
    top_k,
)


@pytest.mark.parametrize("vocab", [262_144, 50_000, 5_000 * FIRST + 7, 300 * FIRST + 7, 300])
@pytest.mark.parametrize("k", [1, 40, 400, 0])
def test_top_k_is_exact(vocab: int, k: int) -> None:
    rng = np.random.default_rng(vocab + k)
    logits = rng.normal(size=(5, vocab)).astype(np.float32)
    logits[1, -3:] += 20  # the best tokens sit in the partial last group
    logits[2, :] = np.round(logits[2, :])  # many ties
    rows = np.array([4, 0, 1, 2, 1])
    values, ids = top_k(logits, rows, k)
    want = vocab if k <= 0 else min(k, vocab)
    assert values.shape == ids.shape == (5, want)
    for j, r in enumerate(rows):
        expected = np.sort(logits[r])[::-1][:want]
        assert np.array_equal(values[j], expected)
        assert np.array_equal(logits[r, ids[j]], values[j])
        assert len(set(ids[j].tolist())) == want
        tied = values[j][1:] == values[j][:-1]
        assert np.all(ids[j][1:][tied] > ids[j][:-1][tied])  # equal logits: lower id first


def test_greedy_takes_the_most_likely_token() -> None:
    logits = np.zeros((3, 1000), dtype=np.float32)
    logits[0, 17] = logits[1, 999] = logits[2, 3] = 5
    picker = TokenPicker(PickSettings(temperature=0, top_p=0.95, top_k=40), [1, 2, 3])
    assert picker.pick(logits, [2, 0, 1], [0, 1, 2]) == [3, 17, 999]


def _draws(settings: PickSettings, seeds: list[int], logits: np.ndarray, steps: int) -> np.ndarray:
    picker = TokenPicker(settings, seeds)
    rows = [0] * len(seeds)
    return np.array([picker.pick(logits, rows, range(len(seeds))) for _ in range(steps)])


def test_same_seeds_same_tokens_other_seeds_other_tokens() -> None:
    logits = np.random.default_rng(0).normal(size=(1, 4096)).astype(np.float32)
    settings = PickSettings(temperature=0.8, top_p=0.95, top_k=40)
    first = _draws(settings, [1, 2, 3, 4], logits, 50)
    assert np.array_equal(first, _draws(settings, [1, 2, 3, 4], logits, 50))
    assert not np.array_equal(first, _draws(settings, [5, 6, 7, 8], logits, 50))
    # each sequence's draws depend on its own seed only, not on its neighbours
    assert np.array_equal(first[:, 2], _draws(settings, [9, 3], logits, 50)[:, 1])


def test_frequencies_follow_top_k_top_p_and_temperature() -> None:
    logits = np.full((1, 2000), -30.0, dtype=np.float32)
    logits[0, [10, 600, 1500, 1999]] = np.log([0.5, 0.3, 0.15, 0.05])
    # top_k 3 drops token 1999; top_p 0.7 keeps 10 and 600 (0.5 < 0.7, then 0.8 >= 0.7);
    # temperature 0.5 squares the kept odds: 0.25 : 0.09.
    settings = PickSettings(temperature=0.5, top_p=0.7, top_k=3)
    draws = _draws(settings, list(range(200)), logits, 50).ravel()
    assert set(np.unique(draws).tolist()) == {10, 600}
    share = float(np.mean(draws == 10))
    assert abs(share - 0.25 / 0.34) < 0.02
    everything = _draws(PickSettings(1.0, 1.0, 0), list(range(200)), logits, 50).ravel()
    assert abs(float(np.mean(everything == 1999)) - 0.05) < 0.01


def _reference_token(row: np.ndarray, s: PickSettings, u: float) -> int:
    """The chain written plainly: sort the whole row, top-k, top-p, temperature, one draw."""
    order = np.argsort(-row, kind="stable")[: s.top_k if s.top_k > 0 else len(row)]
    z = row[order].astype(np.float64) - row[order[0]]
    p = np.exp(z) / np.exp(z).sum()
    kept = int(np.searchsorted(np.cumsum(p) - p, s.top_p, side="left")) if s.top_p < 1 else len(z)
    weights = np.exp(z[: max(kept, 1)] / s.temperature)
    cumulative = np.cumsum(weights)
    return int(order[min(int((cumulative <= u * cumulative[-1]).sum()), len(cumulative) - 1)])


def test_picks_match_the_plain_chain_with_one_draw_per_token() -> None:
    """Over more steps than one block of draws, with sequences leaving mid-way, every token is the
    one the plain chain picks with each sequence's own generator drawn once per token."""
    rng = np.random.default_rng(7)
    vocab, steps = 262_144, DRAW_BLOCK * 2 + 5
    settings = PickSettings(temperature=0.8, top_p=0.95, top_k=40)
    seeds = [11, 12, 13, 14]
    picker = TokenPicker(settings, seeds)
    generators = [np.random.Generator(np.random.PCG64(seed)) for seed in seeds]
    live = [0, 1, 2, 3]
    for step in range(steps):
        if step == DRAW_BLOCK - 1:
            live = [0, 2, 3]  # sequence 1 ends
        if step == DRAW_BLOCK + 3:
            live = [3, 0]  # sequence 2 ends too; the others come in another order
        logits = (rng.normal(size=(len(live), vocab)) * 3).astype(np.float32)
        got = picker.pick(logits, np.arange(len(live)), live)
        want = [
            _reference_token(logits[j], settings, generators[i].random())
            for j, i in enumerate(live)
        ]
        assert got == want, step
