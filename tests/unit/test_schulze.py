from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from consensus_desktop.welfare.schulze import ballots_from_scores, pairwise_preferences, schulze


def test_wikipedia_example() -> None:
    # The classic 45-voter example from Schulze's paper: winner E, ranking E > A > C > B > D.
    groups = [
        (5, "ACBED"),
        (5, "ADECB"),
        (8, "BEDAC"),
        (3, "CABED"),
        (7, "CAEBD"),
        (2, "CBADE"),
        (7, "DCEBA"),
        (8, "EBADC"),
    ]
    ballots = []
    for count, order in groups:
        ballot = {"ABCDE".index(c): r for r, c in enumerate(order)}
        ballots += [ballot] * count
    result = schulze(5, ballots)
    assert result.untied == tuple("ABCDE".index(c) for c in "EACBD")
    assert result.winners == (4,)


def test_ties_and_abstentions() -> None:
    ballots = [{0: 1, 1: 1, 2: 2}, {0: 1, 2: 2}, {1: 1}]
    d = pairwise_preferences(3, ballots)
    assert d[0, 1] == 0 and d[1, 0] == 0  # tied on the first ballot, abstained elsewhere
    assert d[0, 2] == 2 and d[1, 2] == 1
    res = schulze(3, ballots)
    assert res.tied[0] == (0, 1) and res.tied[-1] == (2,)
    assert set(res.untied[:2]) == {0, 1}


def test_untied_is_seeded_and_reproducible() -> None:
    ballots = [{0: 1, 1: 1}, {0: 1, 1: 1}]
    assert schulze(2, ballots, seed=3).untied == schulze(2, ballots, seed=3).untied
    outcomes = {schulze(2, ballots, seed=s).untied for s in range(20)}
    assert outcomes == {(0, 1), (1, 0)}  # a genuine tie is broken at random


def test_tie_broken_by_a_real_ballot_first() -> None:
    # 0 and 1 are tied overall (one ballot each way) but the third ballot abstains on 1:
    ballots = [{0: 1, 1: 2}, {1: 1, 0: 2}]
    res = schulze(2, ballots, seed=0)
    assert res.tied == ((0, 1),)
    first_ballot = ballots[int(np.random.default_rng(0).permutation(2)[0])]
    assert res.untied[0] == min(first_ballot, key=first_ballot.__getitem__)


@given(st.integers(2, 6), st.lists(st.permutations(range(6)), min_size=1, max_size=15), st.data())
def test_condorcet_winner_is_elected(n, perms, data) -> None:  # type: ignore[no-untyped-def]
    ballots = [{c: r for r, c in enumerate([c for c in p if c < n])} for p in perms]
    d = pairwise_preferences(n, ballots)
    condorcet = [a for a in range(n) if all(d[a, b] > d[b, a] for b in range(n) if b != a)]
    result = schulze(n, ballots, seed=data.draw(st.integers(0, 100)))
    if condorcet:
        assert result.winners == (condorcet[0],)
        assert result.untied[0] == condorcet[0]


def test_ballots_from_scores() -> None:
    scores = np.array([[7, 1], [5, np.nan], [5, 3]], dtype=float)
    ballots = ballots_from_scores(scores)
    assert ballots[0] == {0: -7, 1: -5, 2: -5}
    assert ballots[1] == {0: -1, 2: -3}
    # 0 vs 2: one ballot each way (tie); 0 beats 1 on the only ballot ranking 1, where 1 and 2 tie
    assert schulze(3, ballots).tied == ((0,), (1, 2))
