"""What the report says: figures from the store, privacy options, a self-contained page (no Qt)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import sqlite_utils
from cases import four, twelve
from sessions import NAMES_12, OPINIONS, build

from consensus_desktop.errors import StorageError
from consensus_desktop.report import ReportOptions, gather, render_html, save_html
from consensus_desktop.session.facilitation import Facilitation
from consensus_desktop.store.exports import anonymise_session
from consensus_desktop.store.session_store import SessionStore


@pytest.fixture()
def store(tmp_path: Path) -> SessionStore:
    s = SessionStore(tmp_path / "library.sqlite")
    yield s
    s.close()


def test_figures_match_the_facilitation(store: SessionStore) -> None:
    sid = four(store)
    flow = Facilitation(store, sid)
    report = gather(store, sid, ReportOptions())
    (q,) = report.questions
    final = flow.final_ratings()
    assert q.final_statement == flow.selection()["text"]
    assert q.final.n == 4 and q.final.mean == pytest.approx(sum(final.values()) / 4)
    assert q.final.min == min(final.values())
    assert sum(q.final.counts) == 4 and sum(q.baseline.counts) == 4
    before, after = flow.agreement_before_after()
    assert (q.before, q.after) == (before, after)
    (r,) = q.rounds
    assert r.has_ratings and len(r.shortlist) == 4 and r.chosen is not None
    assert r.chosen.text == q.final_statement
    assert all(s.rated.n == 4 for s in r.shortlist)
    assert [w[0] for w in r.choice.winners] == ["utilitarian", "Nash", "Rawlsian"]
    assert r.choice.alpha == 1.0 and r.n_rankings == 4 and r.schulze
    (run,) = r.runs
    assert run.model_sha256 and r.reward["method"] == "embed-cosine-v1"
    # the labels are the app's own (A, B, … in the order written), whatever the shortlist order
    assert {s.label for s in r.statements} <= {c.label for c in flow.round_candidates()}


def test_page_is_self_contained_with_charts(store: SessionStore, tmp_path: Path) -> None:
    sid = four(store)
    path = tmp_path / "r.html"
    save_html(store, sid, path, ReportOptions())
    html = path.read_text(encoding="utf-8")
    assert html.count("<svg") >= 3
    assert "<script" not in html.lower()
    assert not re.search(r"\b(src|href)\s*=", html)  # nothing loaded from anywhere
    assert not re.search(r"url\(", html)
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_names_and_opinions_only_when_asked(store: SessionStore) -> None:
    sid = four(store)
    plain = render_html(gather(store, sid, ReportOptions()))
    assert not any(re.search(rf"\b{n}\b", plain) for n in NAMES_12[:4])
    assert not any(o in plain for o in OPINIONS)
    assert "P1" in plain
    full = render_html(gather(store, sid, ReportOptions(with_opinions=True)))
    assert all(n in full for n in NAMES_12[:4]) and all(o in full for o in OPINIONS)


def test_anonymise_uses_the_anonymised_exports_ids(store: SessionStore, tmp_path: Path) -> None:
    flow = build(
        store,
        "Table 9",
        ["Ann", "Ben", "Cai"],
        [("Q?", "We should.")],
        ["I agree with ben about the buses.", "No.", "Maybe."],
    )
    anon = anonymise_session(store.db, flow.session_id, tmp_path / "anon.sqlite")
    ids = [p["pseudonym"] for p in sqlite_utils.Database(anon)["participants"].rows]
    report = gather(store, flow.session_id, ReportOptions(anonymise=True, with_opinions=True))
    assert list(report.participants) == ids
    html = render_html(report)
    assert all(i in html for i in ids) and "Table 9" not in html
    assert not any(re.search(rf"\b{n}\b", html, re.IGNORECASE) for n in ("Ann", "Ben", "Cai"))
    assert f"I agree with {ids[1]} about the buses." in html


def test_two_questions_and_a_critique_round(store: SessionStore) -> None:
    report = gather(store, twelve(store), ReportOptions(with_opinions=True))
    assert len(report.participants) == 12 and len(report.questions) == 2
    for q in report.questions:
        first, revised = q.rounds
        assert (first.kind, revised.kind) == ("initial", "revision")
        assert first.n_critiques == 12 and len(first.critiques) == 12
        assert q.final_statement.startswith("Revised: ")
        assert revised.chosen.text == q.final_statement
    html = render_html(report)
    assert html.count("<svg") == 12
    assert "Critique round" in html and "Mention cyclists too (11)." in html


def test_a_session_with_no_ratings(store: SessionStore) -> None:
    flow = build(store, "Q", NAMES_12[:3], [("Q?", "")], OPINIONS, rate=False)
    report = gather(store, flow.session_id, ReportOptions())
    (q,) = report.questions
    assert q.final.n == 0 and math.isnan(q.final.mean) and not report.has_ratings
    (r,) = q.rounds
    assert len(r.shortlist) == 4 and not r.has_ratings and r.chosen is not None
    html = render_html(report)
    assert "Nobody has rated the final statement yet." in html
    assert "nobody has rated them yet" in html


def test_a_session_before_any_generation(store: SessionStore) -> None:
    from consensus_desktop.session.values import Settings

    flow = Facilitation.create(
        store, "Early", [("Q?", "We should.", "")], ["A", "B", "C"], Settings()
    )
    html = render_html(gather(store, flow.session_id, ReportOptions()))
    assert "No candidate statements have been generated yet." in html
    assert "No statement has been chosen" in html


def test_destination_rules(store: SessionStore, tmp_path: Path) -> None:
    sid = four(store)
    path = tmp_path / "r.html"
    path.write_text("keep me")
    with pytest.raises(StorageError, match="already exists"):
        save_html(store, sid, path, ReportOptions())
    assert path.read_text() == "keep me"
    with pytest.raises(StorageError, match="app's library"):
        save_html(store, sid, store.path, ReportOptions(), force=True)
    with pytest.raises(StorageError, match="does not exist"):
        save_html(store, sid, tmp_path / "no" / "r.html", ReportOptions())
    save_html(store, sid, path, ReportOptions(), force=True)
    assert "<svg" in path.read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]  # no temporary left


def test_regenerated_round_and_an_absent_participant(store: SessionStore) -> None:
    import random

    from sessions import STATEMENTS, _run

    flow = build(store, "Regen", NAMES_12[:4], [("Q?", "We should.")], OPINIONS, rate=False)
    flow.mark_absent(flow.participants[3]["id"])
    _run(flow, [f"Again: {t}" for t in STATEMENTS], random.Random(1), 0, "initial")
    report = gather(store, flow.session_id, ReportOptions())
    (q,) = report.questions
    (r,) = q.rounds  # a regeneration stays in its round
    assert len(r.runs) == 2 and r.n_written == 2 * len(STATEMENTS)
    assert r.participants == ("P1", "P2", "P3") and q.n_present == 3
    assert all(len(s.predicted) == 3 for s in r.statements)
    assert "(regenerated)" in render_html(report)


def test_a_rehearsal_says_so(store: SessionStore) -> None:
    flow = build(store, "Practice", NAMES_12[:3], [("Q?", "")], OPINIONS, rate=False)
    settings = flow.settings
    settings.rehearsal = True
    flow.update_settings(settings)
    html = render_html(gather(store, flow.session_id, ReportOptions()))
    assert "A rehearsal with example participants" in html
