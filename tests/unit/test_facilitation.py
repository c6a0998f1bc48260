from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from consensus_desktop.facilitation import Facilitation, Scores, Settings
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
    assert flow.step == "baseline" and flow.settings.alpha == math.inf
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
    assert reopened.step == "baseline" and reopened.opinions() == flow.opinions()
    store.close()
