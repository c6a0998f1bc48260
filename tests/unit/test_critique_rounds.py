"""A critique round: the earlier choice stays in the running, letters stay unique, and the result
warns when the new choice is rated lower (with the earlier choice one click away)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from consensus_desktop.report import ReportOptions, gather, render_html
from consensus_desktop.session.facilitation import Facilitation
from consensus_desktop.session.values import Settings
from consensus_desktop.store.exports import polis_csv, ratings_csv
from consensus_desktop.store.session_store import SessionStore


def _round(flow: Facilitation, texts: list[str], round_: int, kind: str) -> list[int]:
    store = flow.store
    run = store.add_generation_run(flow.session_id, flow.question["id"], round=round_, kind=kind)
    cids = store.add_candidates(run, [{"text": t} for t in texts])
    pids = [p["id"] for p in flow.participants]
    store.add_predictions(cids, pids, [[4.0] * len(pids) for _ in cids], {"label": "t"})
    return cids


def _rate(flow: Facilitation, ratings: dict[int, list[int]]) -> None:
    for cid, values in ratings.items():
        for p, value in zip(flow.present, values, strict=True):
            flow.record_rating(p["id"], cid, value, None, None)


@pytest.fixture()
def flow(tmp_path: Path) -> Facilitation:
    store = SessionStore(tmp_path / "lib.sqlite")
    flow = Facilitation.create(
        store, "T", [("Q?", "We should.", "")], ["Ann", "Ben", "Cai", "Dee"], Settings()
    )
    a, b, c = _round(flow, ["First.", "Second.", "Third."], 0, "initial")
    _rate(flow, {a: [6, 6, 6, 6], b: [3, 3, 3, 3], c: [2, 2, 2, 2]})
    flow.select(a, "isoelastic (ratings+predictions)", 1.0, "welfare")
    for p in flow.participants:
        flow.record_critique(p["id"], a, "Say who pays.")
    return flow


def test_the_earlier_choice_stays_in_the_running_and_letters_stay_unique(
    flow: Facilitation,
) -> None:
    first = flow.selection()
    assert first is not None
    revised = _round(flow, ["Revised one.", "Revised two."], 1, "revision")
    assert [c.label for c in flow.round_candidates()] == ["D", "E"]
    s = flow.scores()
    assert [c.label for c in s.candidates] == ["D", "E", "A"] and s.carried == 2
    assert not s.has_ratings  # the room has not rated this round yet: it rates D and E
    assert {c.id for c in flow.shortlist()} == set(revised)
    assert s.is_rated(2) and list(s.rated[2]) == [6, 6, 6, 6]  # its ratings from round 1
    with pytest.raises(ValueError, match="earlier round's choice"):
        flow.edit_candidate(first["candidate_id"], "Reworded.")
    assert [r.label for r in flow.results_list()] == ["1·A", "1·B", "1·C", "2·D", "2·E"]


def test_a_lower_rated_new_choice_is_warned_and_the_earlier_one_can_be_kept(
    flow: Facilitation,
) -> None:
    d, e = _round(flow, ["Revised one.", "Revised two."], 1, "revision")
    _rate(flow, {d: [5, 5, 4, 5], e: [2, 3, 2, 2]})
    flow.select(d, "isoelastic (ratings+predictions)", 1.0, "facilitator override")
    [warning] = [w for w in flow.result_warnings() if "lower" in w]
    assert warning == (
        "The room rated the new choice lower (mean 4.75) than round 1's choice A "
        "(mean 6.00): you can keep round 1's choice."
    )
    flow.keep_previous_choice()
    sel = flow.selection()
    assert sel is not None and sel["text"] == "First." and sel["alpha"] == 1.0
    assert sel["chosen_by"] == "facilitator: kept round 1's choice"
    assert flow.rated_lower_than_before() is None
    assert not any("lower" in w for w in flow.result_warnings())
    report = gather(flow.store, flow.session_id, ReportOptions())
    (q,) = report.questions
    assert q.final_statement == "First." and q.final.n == 4
    kept = next(s for s in q.rounds[1].statements if s.label == "A")
    assert kept.from_round == 1 and kept.chosen and not kept.on_shortlist
    assert q.rounds[1].n_written == 2 and len(q.rounds[1].shortlist) == 2
    assert "round 1&#x27;s choice, kept in the running" in render_html(report)


def test_an_edited_choice_is_marked_everywhere_and_absent_people_are_not_counted(
    tmp_path: Path,
) -> None:
    store = SessionStore(tmp_path / "lib.sqlite")
    flow = Facilitation.create(
        store, "T", [("Q?", "We should.", "")], ["Ann", "Ben", "Cai", "Dee"], Settings()
    )
    for p, value in zip(flow.participants, (2, 6, 3, 5), strict=True):
        flow.record_baseline(p["id"], value)
    a, b = _round(flow, ["The model's words.", "Other words."], 0, "initial")
    reworded = flow.edit_candidate(a, "The facilitator's words.")
    for p in flow.participants:  # Dee too, before she leaves
        flow.record_ranking(p["id"], {reworded: 1, b: 2})
        flow.record_critique(p["id"], reworded, "Say who pays.")
    flow.mark_absent(flow.participants[3]["id"])
    _rate(flow, {reworded: [6, 5, 6]})
    flow.select(reworded, "isoelastic (ratings+predictions)", 0.0, "welfare")
    report = gather(store, flow.session_id, ReportOptions())
    (q,) = report.questions
    assert q.final_original == "The model's words."
    assert (q.n_present, q.baseline.n, q.final.n) == (3, 3, 3)
    assert q.before.n_agree + q.before.n_disagree + q.before.n_neutral == 3
    (r,) = q.rounds
    assert (r.n_written, r.n_reworded) == (2, 1)
    assert (len(r.participants), r.n_rankings, r.n_critiques) == (3, 3, 3)
    html = render_html(report)
    assert "The model wrote 2 candidate statements (the facilitator reworded 1)" in html
    assert "Reworded by the facilitator. The model wrote: “The model&#x27;s words.”" in html
    comments, _ = polis_csv(store.db, flow.session_id, tmp_path / "csv")
    rows = list(csv.DictReader(comments.open(encoding="utf-8")))
    mine = next(c for c in rows if c["comment-body"] == "The facilitator's words.")
    assert mine["reworded-from"] == "The model's words."
    rated = list(csv.DictReader(ratings_csv(store.db, flow.session_id, tmp_path / "csv").open()))
    assert {r["model_original"] for r in rated} == {"The model's words."}
    store.close()
