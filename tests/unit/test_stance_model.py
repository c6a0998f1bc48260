"""The stance model's plumbing: head files, shapes, sides, and how they move agreement."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from consensus_desktop.reward.stance_model import (
    HEAD,
    StanceHead,
    StanceUnavailable,
    as_question,
    pair_text,
    side,
)
from consensus_desktop.reward.stance_reward import person_sides, with_sides


def test_shipped_head_loads_and_gives_probabilities() -> None:
    from consensus_desktop.model_catalog import shipped_data_dir

    head = StanceHead.load(shipped_data_dir() / HEAD)
    probs = head.probabilities(np.random.default_rng(0).normal(size=(5, head.weight.shape[1])))
    assert probs.shape == (5, 3)
    assert np.allclose(probs.sum(axis=1), 1.0) and (probs >= 0).all()
    assert side(probs).shape == (5,) and (np.abs(side(probs)) <= 1).all()


def test_missing_or_broken_head_is_one_clear_sentence(tmp_path: Path) -> None:
    with pytest.raises(StanceUnavailable, match="cannot be read"):
        StanceHead.load(tmp_path / HEAD)
    np.savez(tmp_path / HEAD, weight=np.zeros((2, 384)), bias=np.zeros(2))
    with pytest.raises(StanceUnavailable, match="wrong shape"):
        StanceHead.load(tmp_path / HEAD)
    np.savez(tmp_path / HEAD, something=np.zeros(3))
    with pytest.raises(StanceUnavailable, match="cannot be read"):
        StanceHead.load(tmp_path / HEAD)


def test_head_refuses_features_of_another_size() -> None:
    head = StanceHead(np.zeros((3, 384)), np.zeros(3))
    with pytest.raises(StanceUnavailable, match="expects 384 features"):
        head.probabilities(np.zeros((2, 768)))


def test_sides_move_agreement_toward_the_same_side() -> None:
    agreement = np.full((2, 3), 4.0)  # candidates x participants
    candidate = np.array([1.0, -1.0])  # supports, opposes
    people = np.array([1.0, -1.0, 0.0])
    moved = with_sides(agreement, candidate, people, weight=2.0)
    assert moved.tolist() == [[6.0, 2.0, 4.0], [2.0, 6.0, 4.0]]
    assert with_sides(np.full((1, 1), 6.5), np.ones(1), np.ones(1), 3.0).item() == 7.0


def test_baseline_rating_decides_a_persons_side_when_given() -> None:
    opinion = np.array([-0.9, 0.8])
    assert person_sides(opinion, [7, 1]).tolist() == [1.0, -1.0]  # ratings of the position
    assert person_sides(opinion, []).tolist() == [-0.9, 0.8]  # no ratings: their opinions


def test_proposal_as_question_and_input_text() -> None:
    assert as_question("We should legalize cannabis") == "Should we legalize cannabis?"
    assert as_question("The USA is a good country to live in") == (
        "Is the USA a good country to live in?"
    )
    assert as_question("Do you support it?") == "Do you support it?"
    assert pair_text(" Q? ", " S. ") == "Proposal: Q? Statement: S."
