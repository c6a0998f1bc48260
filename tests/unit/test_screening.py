"""Filters before ranking, the negation used by the negation check, and the shortlist rule."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consensus_desktop.reward.negation import negate
from consensus_desktop.screening import (
    NEAR_DUPLICATE,
    coverage,
    guess_language,
    near_copies,
    near_duplicate_share,
    off_topic,
    text_rejection,
    unit,
)
from consensus_desktop.shortlist import choose, cluster, fold

Q = "Should the government provide free childcare for all children under five?"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("We strongly disagree with the first two.", "about the opinions"),
        ("As a jury we agree that this matters.", "about the opinions"),
        ("The above opinions are all reasonable.", "about the opinions"),
        ("Most of the participants want free places.", "about the opinions"),
        ("The citizens agree that childcare matters.", "about the opinions"),
        ("We agree with the citizen's jury on a range of issues.", "about the opinions"),
        ("The government should provide free childcare for all children under five.", "echoes"),
        ("Should we pay for it from taxes?", "a question"),
        ("and then parents could go back to work.", "a fragment"),
        ("Nous soutenons la garde gratuite pour tous les enfants et les parents.", "language"),
        ("Die Regierung sollte nicht für alle Kinder zahlen, sagen wir.", "language"),
    ],
)
def test_text_filters_reject_with_a_reason(text: str, reason: str) -> None:
    got = text_rejection(text, Q)
    assert got is not None and reason in got


@pytest.mark.parametrize(
    "text",
    [
        "We support free childcare for all children under 5.",
        "Free places for low-income families first, with quality standards for every nursery.",
        "No, families should choose: give parents a tax credit instead.",
        # "the citizens" as the people a policy serves, not the people in the room
        "Councils should provide childcare services to the citizens who need them most.",
    ],
)
def test_statements_on_the_question_pass(text: str) -> None:
    assert text_rejection(text, Q) is None


def test_language_guess() -> None:
    assert guess_language("We should do this for the children and the parents.") == "en"
    assert guess_language("Wir sollten das für die Kinder und die Eltern tun.") == "de"
    assert guess_language("自用車載客應該合法化") == "cjk"
    assert guess_language("Energie") is None


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("Term limits should be initiated.", "Term limits should not be initiated."),
        ("There aren't enough birds.", "There are enough birds."),
        ("We can fund it.", "We cannot fund it."),
        ("Taxes should not rise.", "Taxes should rise."),
        ("We need to act now.", "We do not need to act now."),
    ],
)
def test_negate(text: str, negated: str) -> None:
    assert negate(text) == negated


def test_negate_without_an_auxiliary_is_none() -> None:
    assert negate("More parks for everyone.") is None


def test_off_topic_is_relative_to_the_run() -> None:
    rng = np.random.default_rng(0)
    context = rng.standard_normal((3, 16))
    close = context[0] + 0.3 * rng.standard_normal((6, 16))
    far = rng.standard_normal((1, 16))
    flags = off_topic(np.vstack([close, far]), context)
    assert not flags[:6].any() and flags[6]


def _vectors(*rows: list[float]) -> np.ndarray:
    return unit(np.array(rows, dtype=np.float64))


def test_fold_keeps_the_best_of_near_duplicates() -> None:
    emb = _vectors([1, 0, 0], [1, 0.05, 0], [0, 1, 0], [1, 0.02, 0.01])
    into = fold(emb, np.array([3.0, 5.0, 4.0, 2.0]))
    assert into == (1, 1, 2, 1)  # 0 and 3 fold into 1, the best of the three


def test_cluster_groups_similar_opinions() -> None:
    ops = _vectors([1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0.95, 0.1], [0, 0, 1])
    groups = cluster(ops, 3)
    assert sorted(map(sorted, groups)) == [[0, 1], [2, 3], [4]]


def test_near_chance_bridges_then_covers_each_cluster_of_opinions() -> None:
    ops = _vectors([1, 0, 0], [0, 1, 0], [0, 0, 1])
    # candidates 0-2 all near opinion 0 with the best welfare; 3 near opinion 1; 4 near opinion 2;
    # 5 speaks to all three at once, with the worst welfare
    cands = _vectors(
        [1, 0.3, 0], [1, 0, 0.3], [1, 0.2, 0.2], [0.1, 1, 0], [0.1, 0, 1], [1, 0.95, 0.9]
    )
    w = np.array([6.0, 5.9, 5.8, 3.0, 2.0, 1.0])
    covered = choose(cands, w, ops, 4, predictions_trusted=False)
    assert covered.covered_clusters and covered.chosen[0] == 5
    assert sorted(covered.chosen) == [0, 3, 4, 5]
    assert choose(cands, w, ops, 1, predictions_trusted=False).chosen == (5,)
    trusted = choose(cands, w, ops, 4, predictions_trusted=True)
    assert not trusted.covered_clusters and trusted.chosen[0] == 0


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 10_000),
    st.integers(2, 16),
    st.integers(1, 6),
    st.booleans(),
)
def test_shortlist_never_holds_near_duplicates(seed: int, n: int, k: int, trusted: bool) -> None:
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((max(1, n // 3), 8))
    cands = base[rng.integers(0, len(base), n)] + 0.2 * rng.standard_normal((n, 8))
    ops = rng.standard_normal((5, 8))
    sl = choose(cands, rng.uniform(1, 7, n), ops, k, trusted)
    assert len(set(sl.chosen)) == len(sl.chosen) <= k
    assert near_duplicate_share(cands[list(sl.chosen)]) == 0.0
    kept = sum(1 for i, f in enumerate(sl.folded_into) if f == i)
    assert len(sl.chosen) == min(k, kept)
    assert sl.n_folded == n - kept
    u = unit(cands)
    for i, f in enumerate(sl.folded_into):
        assert f == i or float(u[i] @ u[f]) >= NEAR_DUPLICATE


def test_coverage_is_the_distance_to_the_worst_served_opinion() -> None:
    opinions = np.array([[1.0, 0.0], [0.0, 1.0]])
    one_sided, bridging = [1.0, 0.0], [1.0, 1.0]
    got = coverage(np.array([one_sided, bridging]), opinions)
    assert got[0] == pytest.approx(0.0) and got[1] == pytest.approx(np.sqrt(0.5))


def test_near_copies_of_the_prompt_examples() -> None:
    examples = np.array([[1.0, 0.0, 0.0]])
    got = near_copies(np.array([[0.99, 0.05, 0.0], [0.6, 0.8, 0.0]]), examples)
    assert got.tolist() == [True, False]
    assert near_copies(np.zeros((2, 3)), examples[:0]).tolist() == [False, False]
