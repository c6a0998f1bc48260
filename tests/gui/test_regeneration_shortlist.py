"""After "write more statements", the room's shortlist is chosen over the whole round: the new
statements can only add to what the room may rate, never hide a better earlier one."""

from __future__ import annotations

from pathlib import Path

from fakes import STATEMENTS, FakeEngine, FakeReward

from consensus_desktop.pipeline import RunResult, run
from consensus_desktop.reward.base import RewardVersion
from consensus_desktop.session.facilitation import Facilitation
from consensus_desktop.session.values import Settings
from consensus_desktop.store.session_store import SessionStore


class MixedReward(FakeReward):
    """Trusted predictions (the welfare-and-difference rule alone): two statements of the first
    run and two of the regeneration (which rewrites the first run's statements "once more") are
    predicted well, everything else badly."""

    version = RewardVersion("mixed", "fake.gguf", "0" * 64, val_auc=0.9)

    def score(self, candidate: str, opinion: str) -> float:
        if "once more" in candidate:
            return 6.5 if candidate.startswith((STATEMENTS[2][:-1], STATEMENTS[3][:-1])) else 2.0
        return 6.0 if candidate in STATEMENTS[:2] else 2.0


def _generate(flow: Facilitation) -> RunResult:
    events = list(run(FakeEngine(), MixedReward(), flow.next_request()))
    result = events[-1]
    assert isinstance(result, RunResult)
    flow.record_run(result)
    return result


def test_a_regeneration_shortlists_over_the_whole_round(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "lib.sqlite")
    flow = Facilitation.create(
        store, "T", [("Should speed limits be lower?", "", "")], list("ABCD"), Settings()
    )
    for p, text in zip(
        flow.participants, ("Yes.", "No.", "Near schools.", "Cameras."), strict=True
    ):
        flow.record_opinion(p["id"], text)
    assert flow.next_request().earlier == ()  # a first run has nothing before it
    _generate(flow)
    first = flow.round_candidates()
    first_list = [c.id for c in flow.shortlist()]
    assert len(first_list) == 4

    flow.request_regeneration()
    assert flow.next_request().earlier == tuple(c.text for c in first)
    second = _generate(flow)
    new_texts = {c.text for c in second.generated}
    assert new_texts and not new_texts & {c.text for c in first}  # nothing written twice
    # the round's best two of each run, the regeneration's first (predicted higher)
    chosen = flow.shortlist()
    assert {c.text for c in chosen[:2]} == {
        t for t in new_texts if t.startswith((STATEMENTS[2][:-1], STATEMENTS[3][:-1]))
    }
    assert {c.text for c in chosen[2:]} == set(STATEMENTS[:2])
    assert len(second.shortlist_ranked()) == 2 and len(second.shortlisted_earlier()) == 2
    # each rank is held once across the round (the first run's own marks were replaced)
    ranks = [r[0] for r in store.db.execute("SELECT shortlist_rank FROM candidates").fetchall()]
    assert sorted(r for r in ranks if r is not None) == [0, 1, 2, 3]
    assert first_list != [c.id for c in chosen]
    store.close()


def test_a_file_from_before_keeps_the_latest_runs_shortlist(tmp_path: Path) -> None:
    """Before round-wide shortlists, each run of a round held its own marks; the latest counted."""
    store = SessionStore(tmp_path / "lib.sqlite")
    flow = Facilitation.create(
        store, "T", [("Should speed limits be lower?", "", "")], list("ABCD"), Settings()
    )
    for p in flow.participants:
        flow.record_opinion(p["id"], f"Opinion of {p['pseudonym']}.")
    _generate(flow)
    flow.request_regeneration()
    _generate(flow)
    first_run, second_run = flow.round_run_ids()
    rows = list(store.db.query("SELECT id, run_id FROM candidates ORDER BY id"))
    for run_id in (first_run, second_run):  # rewrite the marks as an older version stored them
        ids = [r["id"] for r in rows if r["run_id"] == run_id]
        for rank, cid in enumerate(ids[:4]):
            store.db.execute("UPDATE candidates SET shortlist_rank = ? WHERE id = ?", [rank, cid])
        for cid in ids[4:]:
            store.db.execute("UPDATE candidates SET shortlist_rank = NULL WHERE id = ?", [cid])
    latest = [r["id"] for r in rows if r["run_id"] == second_run][:4]
    assert [c.id for c in flow.shortlist()] == latest
    store.close()
