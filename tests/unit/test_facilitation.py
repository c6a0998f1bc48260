from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from consensus_desktop.session.facilitation import Facilitation
from consensus_desktop.session.values import Scores, Settings
from consensus_desktop.store.session_store import SessionStore


def test_scores_use_ratings_and_shift_other_predictions_by_the_persons_offset() -> None:
    predicted = np.array([[4.0, 4.0], [4.0, 5.0], [3.0, 4.0]])
    rated = np.array([[7.0, np.nan], [np.nan, np.nan], [np.nan, np.nan]])
    s = Scores([], predicted, rated)
    assert s.combined[0, 0] == 7.0  # the rating itself
    assert s.offsets[0] == pytest.approx(3.0 * 1 / 2)  # one rating: shrunk by 1/2
    assert s.combined[1, 0] == pytest.approx(5.5) and s.combined[2, 0] == pytest.approx(4.5)
    assert s.combined[1, 1] == 5.0  # no ratings from participant 2: predictions unchanged
    assert s.has_ratings


def test_facilitation_validates_and_records(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "lib.sqlite")
    with pytest.raises(ValueError, match="3 to 12"):
        Facilitation.create(store, "x", [("Q?", "", "")], ["A", "B"], Settings())
    with pytest.raises(ValueError, match="at least one question"):
        Facilitation.create(store, "x", [("  ", "", "")], ["A", "B", "C"], Settings())
    flow = Facilitation.create(
        store,
        "T",
        [("Q?", "We should.", "")],
        ["A", "B", "C"],
        Settings(alpha=math.inf, n_candidates=5),
    )
    assert flow.step == "intro" and flow.settings.alpha == math.inf
    a, b, c = (p["id"] for p in flow.participants)
    flow.record_baseline(a, 6)
    flow.record_baseline(a, 5)  # a correction: the latest counts
    assert flow.baselines() == {a: 5}
    with pytest.raises(ValueError, match="empty"):
        flow.record_opinion(b, "   ")
    flow.record_opinion(b, "Yes.")
    flow.correct_opinion(b, "Yes, because shade.")
    assert flow.opinions() == {b: "Yes, because shade."}
    assert [p["id"] for p in flow.pending(set(flow.opinions()))] == [a, c]
    reopened = Facilitation(SessionStore(tmp_path / "lib.sqlite"), flow.session_id)
    assert reopened.step == "intro" and reopened.opinions() == flow.opinions()
    store.close()


def test_ranking_must_be_a_permutation_or_nothing() -> None:
    from consensus_desktop.session.values import ranking_problem

    assert ranking_problem({1: 0, 2: 0, 3: 0}, 3) is None
    assert ranking_problem({1: 2, 2: 1, 3: 3}, 3) is None
    sentence, first = ranking_problem({1: 0, 2: 1, 3: 0, 4: 1}, 4)  # type: ignore[misc]
    assert sentence == "Statements 2 and 4 both have rank 1: give each rank once." and first == 2
    sentence, first = ranking_problem({1: 1, 2: 0, 3: 2}, 3)  # type: ignore[misc]
    assert "Statement 2 has no rank" in sentence and first == 2


def test_undo_absent_late_and_warnings(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "lib.sqlite")
    flow = Facilitation.create(
        store, "T", [("Q?", "We should.", "")], ["A", "B", "C", "D"], Settings()
    )
    a, b, c, d = (p["id"] for p in flow.participants)
    for pid, value in ((a, 6), (b, 2), (b, 3)):
        flow.record_baseline(pid, value)
    assert flow.last_entry("baseline") == b
    assert flow.undo_last("baseline") == b
    assert flow.baselines() == {a: 6}  # both of b's entries went: b is asked again
    assert [p["id"] for p in flow.pending(set(flow.baselines()))] == [b, c, d]
    flow.mark_absent(d)
    assert [p["id"] for p in flow.pending(set(flow.baselines()))] == [b, c]
    assert flow.absent_names() == ["D"]
    flow.mark_absent(c)
    with pytest.raises(ValueError, match="two participants"):
        flow.mark_absent(b)
    flow.mark_absent(c, absent=False)
    e = flow.add_late_participant("E")
    assert [p["id"] for p in flow.present] == [a, b, c, e]
    flow.record_opinion(a, "First.")
    flow.correct_opinion(a, "First, fixed.")
    flow.undo_last("opinions")
    assert flow.opinions() == {}
    kinds = [r["kind"] for r in store.db.table("events").rows]
    assert kinds.count("undo") == 2 and "participant_absent" in kinds
    assert "participant_added_late" in kinds and "participant_present" in kinds
    with pytest.raises(ValueError, match="no opinion to undo"):
        flow.undo_last("opinions")
    store.close()


def test_result_warns_when_the_choice_is_the_position_statement(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "lib.sqlite")
    flow = Facilitation.create(
        store, "T", [("Q?", "We should plant more trees.", "")], ["A", "B", "C"], Settings()
    )
    pids = [p["id"] for p in flow.participants]
    for pid, value in zip(pids, (6, 2, 2), strict=True):
        flow.record_baseline(pid, value)
    qid = flow.question["id"]
    run = store.add_generation_run(flow.session_id, qid, round=0, kind="initial")
    cids = store.add_candidates(
        run, [{"text": "We should plant more trees!"}, {"text": "Plant trees where shade helps."}]
    )
    store.add_predictions(cids, pids, [[4, 4, 4], [5, 5, 5]], {"label": "t"})
    for pid, value in zip(pids, (6, 2, 2), strict=True):
        flow.record_rating(pid, cids[0], value, None, None)
    with pytest.raises(ValueError, match="rated"):
        flow.select(cids[1], "manual", 0.0, "facilitator")  # nobody rated it
    flow.select(cids[0], "manual", 0.0, "facilitator")
    warnings = flow.result_warnings()
    assert any("position statement" in w for w in warnings)
    assert any("did not improve (0.33 before, 0.33" in w for w in warnings)
    rows = flow.results_list()
    assert [r.label for r in rows] == ["A", "B"] and rows[0].chosen and rows[0].n_rated == 3
    assert rows[1].n_rated == 0 and rows[1].predicted_mean == 5.0
    store.close()


def test_rehearsal_examples_come_from_the_library_question(tmp_path: Path) -> None:
    from consensus_desktop.rehearsal import create_rehearsal, example_opinions, pick_question

    q = pick_question(seed=3)
    examples = example_opinions(q)
    assert all(n.startswith("Example") for n, _, _ in examples)
    assert q.affirming_statement in examples[0][2] and q.negating_statement in examples[1][2]
    store = SessionStore(tmp_path / "lib.sqlite")
    flow = create_rehearsal(store, q)
    assert flow.step == "generation" and flow.settings.rehearsal
    assert len(flow.opinions()) == 4 and set(flow.consents().values()) == {True}
    store.close()
