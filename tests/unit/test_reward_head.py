from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sample_inputs import POLIS

from consensus_desktop.reward.head import HeadMismatch, RewardHead, pair_features, unit_centred
from consensus_desktop.reward.polis_data import load_conversation
from consensus_desktop.reward.training import PairSet, auc, evaluate, fit_head, head_scorer


def test_auc_matches_definition() -> None:
    assert auc(np.array([0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 1, 1])) == pytest.approx(0.75)
    assert auc(np.array([1.0, 1.0]), np.array([0, 1])) == pytest.approx(0.5)
    assert np.isnan(auc(np.array([1.0, 2.0]), np.array([1, 1])))


def test_head_round_trip_and_version_checks(tmp_path: Path) -> None:
    head = RewardHead(
        np.arange(5, dtype=np.float32),
        0.3,
        "m.gguf",
        "a" * 64,
        card={"metrics": {"val_auc_mean": 0.6}},
    )
    npz, card = head.save(tmp_path / "h.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.json", "h.npz"]  # no temporary left
    assert card == tmp_path / "h.json"
    back = RewardHead.load(npz, expect_model_sha256="a" * 64)
    assert np.array_equal(back.weights, head.weights) and back.bias == pytest.approx(0.3)
    assert back.card["head_sha256"] and back.card["base_model"] == "m.gguf"
    with pytest.raises(HeadMismatch, match=r"trained for m\.gguf"):
        RewardHead.load(npz, expect_model_sha256="b" * 64)
    npz.write_bytes(npz.read_bytes()[:-3] + b"xyz")  # tampered weights
    with pytest.raises(HeadMismatch):
        RewardHead.load(npz)


def test_agreement_matrix_shape_and_range() -> None:
    rng = np.random.default_rng(0)
    ops, cands = unit_centred(rng.normal(size=(3, 8))), unit_centred(rng.normal(size=(5, 8)))
    head = RewardHead(rng.normal(size=9).astype(np.float32), 0.0, "m", "x")
    m = head.agreement_matrix(ops, cands)
    assert m.shape == (5, 3) and (m >= 1).all() and (m <= 7).all()
    # row i, column j is candidate i for participant j
    f = pair_features(ops[[1]], cands[[4]])
    p = 1 / (1 + np.exp(-(f @ head.weights)))
    assert m[4, 1] == pytest.approx(1 + 6 * p[0], rel=1e-5)


def planted(seed: int, n_people: int = 40, n_items: int = 30, d: int = 16) -> PairSet:
    """People agree with statements near their own opinion along a hidden direction mix."""
    rng = np.random.default_rng(seed)
    o = unit_centred(rng.normal(size=(n_people, d)))
    c = unit_centred(rng.normal(size=(n_items, d)))
    w = np.zeros(d)
    w[:4] = 3.0
    pi, ci = np.meshgrid(np.arange(n_people), np.arange(n_items), indexing="ij")
    pi, ci = pi.ravel(), ci.ravel()
    logit = (o[pi] * c[ci]) @ w * 4 + rng.normal(0, 0.5, len(pi)) + rng.normal(0, 1, n_people)[pi]
    y = (logit > 0).astype(np.float32)
    return PairSet(f"planted{seed}", o[pi], c[ci], y, pi.astype(np.int64), ci.astype(np.int64))


def test_training_learns_a_planted_personal_signal() -> None:
    train = [planted(1), planted(2)]
    val = [planted(3)]
    weights, bias = fit_head(train, steps=200)
    metrics = evaluate(head_scorer(weights, bias), val)
    assert metrics["val_auc_mean"] > 0.75
    assert metrics["val_within_participant_auc"] > 0.75
    # the offsets absorb who agrees with everything; without them the head still ranks
    w2, b2 = fit_head(train, steps=200, offsets=False)
    assert evaluate(head_scorer(w2, b2), val)["val_auc_mean"] > 0.7


@pytest.mark.skipif(not POLIS.exists(), reason="shared Polis data not present")
def test_polis_loader_excludes_self_votes_and_passes() -> None:
    conv = load_conversation(POLIS / "scoop-hivemind.ubi")
    pairs = conv.pairs()
    assert pairs and all(conv.authors[c] != p for p, c, _ in pairs)
    assert {y for _, _, y in pairs} == {0, 1}
    assert all(v in (1, -1) for v in conv.votes.values())
    ops = conv.opinions()
    assert all(p in ops for p, _, _ in pairs)
