"""In front of the room: private pages stay private, the hand-back, and recovery from surprises."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from drive import (
    NAMES,
    OPINIONS,
    click,
    click_table_row,
    ctrl_enter,
    enter,
    facilitator_keys,
    fill,
    focused,
    hand_back,
    key,
    new_session,
    pass_round,
    rate,
    rate_shortlist,
    settle,
    setup_session,
    step_to,
    type_text,
    visible_text,
    wait_until,
)
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
)

from consensus_desktop.gui import dialogs
from consensus_desktop.session.values import candidate_label


@pytest.fixture()
def no_dialogs(monkeypatch):  # type: ignore[no-untyped-def]
    """Dialogs answer from a queue; an unexpected dialog fails the test."""
    answers: dict[str, list[Any]] = {"confirm": [], "choose": [], "ask_text": [], "inform": []}

    def answer(kind: str) -> Any:
        def f(*args: Any, **kwargs: Any) -> Any:
            if not answers[kind]:
                raise AssertionError(f"unexpected {kind} dialog: {args[1:]}")
            return answers[kind].pop(0)

        return f

    for kind in answers:
        monkeypatch.setattr(dialogs, kind, answer(kind))
    return answers


def test_participant_three_cannot_reach_participant_ones_opinion(window, no_dialogs) -> None:  # type: ignore[no-untyped-def]
    win = window
    setup_session(win)
    pass_round(win, lambda i: key("4"))
    screen = win.screens["opinions"]
    for i in range(2):  # Ann and Ben write
        enter(win)
        type_text(OPINIONS[i])
        ctrl_enter(win)
    enter(win)  # Cai's private page
    assert screen.stack.currentWidget() is screen.entry
    seen = visible_text(win)
    assert "Cai" in seen and OPINIONS[0] not in seen and OPINIONS[1] not in seen
    assert "Correct" not in seen
    # every key a participant might try on their page: Tab round, F2, the chord, Enter, Escape
    for _ in range(12):
        QTest.keyClick(focused(), Qt.Key.Key_Tab)
        assert OPINIONS[0] not in visible_text(win)
    QTest.keyClick(focused(), Qt.Key.Key_F2)
    facilitator_keys(win)
    QTest.keyClick(focused(), Qt.Key.Key_Escape)
    assert screen.stack.currentWidget() is screen.entry
    assert OPINIONS[0] not in visible_text(win)
    screen.entry.edit.setFocus()
    type_text("Cai's view.")
    ctrl_enter(win)
    # on the next hand-over page F2 does nothing; the facilitator's chord opens the facilitator
    # page, but without corrections
    QTest.keyClick(focused(), Qt.Key.Key_F2)
    assert screen.stack.currentWidget() is screen.handoff
    facilitator_keys(win)
    assert screen.stack.currentWidget() is screen.facilitator
    assert not screen.extra_buttons[0].isEnabled()
    click(screen.extra_buttons[0])  # even clicked greyed out: no dialog while someone is to answer
    assert OPINIONS[0] not in visible_text(win)
    assert "Dee" in screen.fac_status.text()
    ctrl_enter(win)  # back to the hand-over
    assert screen.stack.currentWidget() is screen.handoff


def test_hand_back_comes_before_anything_named(window, no_dialogs) -> None:  # type: ignore[no-untyped-def]
    win = window
    setup_session(win)
    pass_round(win, lambda i: key("4"))
    pass_round(win, lambda i: type_text(OPINIONS[i]))
    wait_until(lambda: win.current is win.screens["tradeoffs"])
    ctrl_enter(win)
    rating = win.screens["rating"]
    for i in range(len(NAMES)):
        enter(win)
        rate_shortlist(i)
        ctrl_enter(win)
    # the last participant still holds the laptop: nobody's name, no ratings on screen
    assert win.current is rating and rating.stack.currentWidget() is rating.handback
    seen = visible_text(win)
    assert "hand the laptop back" in seen
    assert not any(n in seen for n in NAMES), seen
    enter(win)
    QTest.keyClick(focused(), Qt.Key.Key_Space)
    assert rating.stack.currentWidget() is rating.handback  # Enter and Space do not leave it
    facilitator_keys(win)  # the facilitator's chord
    assert rating.stack.currentWidget() is rating.facilitator
    ctrl_enter(win)
    trade = win.screens["tradeoffs"]
    assert win.current is trade
    # names (who is least served) appear only now, after the facilitator confirmed
    least_served = {trade.table.item(r, 5).text() for r in range(trade.table.rowCount())}
    assert least_served <= set(NAMES) and least_served


def test_correcting_an_opinion_after_the_hand_back(window, no_dialogs) -> None:  # type: ignore[no-untyped-def]
    win = window
    setup_session(win)
    pass_round(win, lambda i: key("4"))
    screen = win.screens["opinions"]
    for i in range(len(NAMES)):
        enter(win)
        type_text(OPINIONS[i])
        ctrl_enter(win)
    facilitator_keys(win)
    assert screen.extra_buttons[0].isEnabled()
    no_dialogs["choose"].append("Ann")
    no_dialogs["ask_text"].append("Lower limits save lives near schools.")
    click(screen.extra_buttons[0])
    flow = win.ctx.session
    assert flow.opinions()[flow.participants[0]["id"]] == "Lower limits save lives near schools."
    kinds = [e["kind"] for e in flow.store.db.table("events").rows]
    assert "opinion_corrected" in kinds


def test_recovery_absent_late_regenerate_edit_undo(window, no_dialogs) -> None:  # type: ignore[no-untyped-def]
    win = window
    setup_session(win)
    flow = win.ctx.session
    baseline = win.screens["baseline"]
    # Dee is not there: the facilitator marks her absent from the first hand-over page
    facilitator_keys(win)
    assert baseline.stack.currentWidget() is baseline.facilitator
    no_dialogs["choose"].append("Dee — present: mark absent")
    click(baseline.absent_button)
    assert "Absent: Dee" in baseline.fac_status.text()
    assert "0 of 3 done" in baseline.progress.text()  # as the facilitator page says
    ctrl_enter(win)
    pass_round(win, lambda i: key(str(3 + i)))
    assert set(flow.baselines()) == {p["id"] for p in flow.participants[:3]}
    # Eve arrives late, during the opinions
    opinions = win.screens["opinions"]
    facilitator_keys(win)
    no_dialogs["ask_text"].append("Eve")
    click(opinions.late_button)
    ctrl_enter(win)
    assert "0 of 4 done" in opinions.progress.text()
    for i in range(3):
        enter(win)
        type_text(OPINIONS[i])
        ctrl_enter(win)
    # Eve reads the welcome page and agrees before she writes, as everyone did
    enter(win)
    eve = flow.participants[-1]["id"]
    assert "Eve, please read this first." in visible_text(win)
    assert flow.intro_text[:40] in visible_text(win) and flow.needs_consent(eve)
    enter(win)  # I agree
    assert flow.consents()[eve] is True and opinions.stack.currentWidget() is opinions.entry
    assert "Eve, only you see this page." in visible_text(win)
    type_text("Cars first, but schools need care.")
    ctrl_enter(win)
    hand_back(win)
    assert [p["pseudonym"] for p in flow.present] == ["Ann", "Ben", "Cai", "Eve"]
    wait_until(lambda: win.current is win.screens["tradeoffs"])
    trade = win.screens["tradeoffs"]
    n = flow.settings.n_candidates
    assert len(flow.scores().candidates) == n
    assert flow.scores().names == ["Ann", "Ben", "Cai", "Eve"]
    assert "Dee" in visible_text(win)  # said on screen: scored for those present
    # regenerate: new statements join the old ones in the same round
    click(trade.regenerate_button)
    wait_until(lambda: win.current is trade)
    assert len(flow.scores().candidates) == 2 * n and flow.rounds_done() == 1
    runs = list(flow.store.db.table("generation_runs").rows)
    assert [r["round"] for r in runs] == [0, 0]
    # edit the wording of a shortlisted candidate before the room rates
    target = flow.shortlist()[0]
    trade.select_candidate(target.id)
    no_dialogs["ask_text"].append("We support lower limits near schools and homes.")
    click(trade.edit_button)
    cands = flow.scores().candidates
    edited = next(c for c in cands if c.edited_from == target.id)
    assert edited.label == target.label + "′" and target.id not in {c.id for c in cands}
    assert edited.id in {c.id for c in flow.shortlist()}
    row = flow.store.db.table("candidates").get(edited.id)
    assert row["replaces_id"] == target.id and row["provenance"] == "facilitator_edit"
    ctrl_enter(win)
    rating = win.screens["rating"]
    for i in range(4):
        enter(win)
        assert any(c.id == edited.id for c, *_ in rating.entry.rows) or i > 0
        rate_shortlist(i)
        ctrl_enter(win)
    # the facilitator undoes the last rating (Eve pressed the wrong keys)
    facilitator_keys(win)
    no_dialogs["confirm"].append(True)
    click(rating.undo_button)
    eve = flow.present[-1]["id"]
    assert eve not in flow.raters()
    ctrl_enter(win)  # back to the hand-over: Eve again
    assert "Eve" in rating.handoff_title.text()
    enter(win)
    rate_shortlist(1)
    ctrl_enter(win)
    hand_back(win)
    assert win.current is trade and len(flow.raters()) == 4
    kinds = [e["kind"] for e in flow.store.db.table("events").rows]
    for kind in (
        "participant_absent",
        "participant_added_late",
        "regenerate",
        "regenerated",
        "candidate_edited",
        "undo",
    ):
        assert kind in kinds, kind
    undo = next(
        json.loads(e["payload"]) for e in flow.store.db.table("events").rows if e["kind"] == "undo"
    )
    assert undo["undo"] == "rating" and undo["participant_id"] == eve
    # the facilitator chooses the reworded statement: the result says so, with the model's words
    scores = trade.scores
    click_table_row(trade.table, trade.order.index(scores.candidates.index(edited)))
    ctrl_enter(win)
    results = win.screens["results"]
    wait_until(lambda: win.current is results)
    assert flow.selection()["candidate_id"] == edited.id
    assert results.original.isVisible()
    assert results.original.text() == (
        f"Reworded by the facilitator. The model wrote: “{target.text}”"
    )


def test_duplicate_ranks_are_refused_with_a_sentence(window, no_dialogs) -> None:  # type: ignore[no-untyped-def]
    win = window
    setup_session(win)
    pass_round(win, lambda i: key("4"))
    pass_round(win, lambda i: type_text(OPINIONS[i]))
    wait_until(lambda: win.current is win.screens["tradeoffs"])
    ctrl_enter(win)
    rating = win.screens["rating"]
    enter(win)
    rows = rating.entry.rows
    for _, agree, _, _ in rows:
        rate(agree, 5)
    ctrl_enter(win)  # no ranks at all is fine
    assert rating.stack.currentWidget() is rating.handoff
    enter(win)
    rows = rating.entry.rows
    for n, (_, agree, _, rank) in enumerate(rows):
        rate(agree, 5)
        step_to(rank, 1 if n in (1, 3) else 0)
    enter(win)
    err = rating.error_label.text()
    assert "Statements 2 and 4 both have rank 1" in err, err
    assert QApplication.focusWidget() is rows[1][3]
    assert rating.stack.currentWidget() is rating.entry
    for n, (_, _, _, rank) in enumerate(rows):
        step_to(rank, n + 1)
    rows[0][1].set_value(None)  # no key clears a scale: stands for an answer not given
    ctrl_enter(win)
    assert "agree with statement 1 first" in rating.error_label.text()
    assert QApplication.focusWidget() is rows[0][1]
    rate(rows[0][1], 3)
    ctrl_enter(win)
    assert rating.stack.currentWidget() is rating.handoff
    assert win.ctx.session.store.db.table("rankings").count == 1


def test_slider_reaches_the_three_marks_from_the_keyboard(window) -> None:  # type: ignore[no-untyped-def]
    import math

    win = window
    setup_session(win)
    pass_round(win, lambda i: key("4"))
    pass_round(win, lambda i: type_text(OPINIONS[i]))
    wait_until(lambda: win.current is win.screens["tradeoffs"])
    trade = win.screens["tradeoffs"]
    assert focused() is trade.slider
    QTest.keyClick(trade.slider, Qt.Key.Key_R)
    assert math.isinf(trade.alpha) and "least served" in trade.alpha_text.text()
    QTest.keyClick(trade.slider, Qt.Key.Key_N)
    assert trade.alpha == 1.0 and "Balanced" in trade.alpha_text.text()
    QTest.keyClick(trade.slider, Qt.Key.Key_U)
    assert trade.alpha == 0.0 and "on average" in trade.alpha_text.text()
    QTest.keyClick(trade.slider, Qt.Key.Key_Right)  # one visible step
    assert trade.slider.value() == 1 and 0 < trade.alpha < 0.1
    QTest.keyClick(trade.slider, Qt.Key.Key_End)
    assert math.isinf(trade.alpha)
    # plain words by default, the expert figures one click away
    assert "α" not in trade.alpha_text.text() and trade.table.isColumnHidden(2)
    click(trade.expert)
    assert "α = ∞" in trade.alpha_text.text() and not trade.table.isColumnHidden(2)
    assert "Price of fairness" in trade.summary.text()


def test_an_unrated_statement_cannot_be_chosen_after_rating(window) -> None:  # type: ignore[no-untyped-def]
    win = window
    setup_session(win)
    pass_round(win, lambda i: key("4"))
    pass_round(win, lambda i: type_text(OPINIONS[i]))
    wait_until(lambda: win.current is win.screens["tradeoffs"])
    trade = win.screens["tradeoffs"]
    labels_before = {c.id: c.label for c in trade.scores.candidates}
    ctrl_enter(win)
    pass_round(win, rate_shortlist)
    assert win.current is trade
    flow = win.ctx.session
    s = trade.scores
    unrated = [i for i in range(len(s.candidates)) if not s.is_rated(i)]
    assert unrated and len(trade.choosable) == flow.settings.shortlist_k
    # labels stay the same whatever the slider and the ratings do
    assert {c.id: c.label for c in s.candidates} == labels_before
    for step in (0, 10, 20):
        step_to(trade.slider, step, Qt.Key.Key_Left, Qt.Key.Key_Right)
        winners = {st.winner for st in trade.analysis.stretches}
        assert all(trade.choosable[w] not in unrated for w in winners)
    # an unrated row cannot be selected, and choosing it directly is refused
    row = trade.order.index(unrated[0])
    assert row >= len(trade.choosable)
    assert trade.table.item(row, 6).flags() == Qt.ItemFlag.NoItemFlags
    assert "prediction only" in trade.table.item(row, 6).text()
    with pytest.raises(ValueError, match="rated"):
        flow.select(s.candidates[unrated[0]].id, "manual", 0.0, "facilitator")
    assert flow.selection() is None
    ctrl_enter(win)  # the top rated one
    assert flow.selection()["candidate_id"] in {s.candidates[i].id for i in trade.choosable}


def test_keyboard_enter_picks_library_results_and_confirms_complete_pages(window) -> None:  # type: ignore[no-untyped-def]
    win = window
    QTest.keyClick(win, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    setup = win.screens["setup"]
    setup.search.setFocus()
    type_text("speed")
    assert setup.results.count() > 0
    setup.results.setFocus()
    QTest.keyClick(setup.results, Qt.Key.Key_Down)
    enter(win)  # plain Enter on the focused result picks it
    assert setup.question.text() == setup.results.currentItem().text()
    assert setup.statement.text()
    fill(setup.people, "\n".join(NAMES))
    ctrl_enter(win)
    pass_round(win, lambda i: None)  # the introduction
    baseline = win.screens["baseline"]
    enter(win)
    enter(win)  # nothing chosen yet: it says so instead of doing nothing
    assert "Choose a point" in baseline.error_label.text()
    assert focused() is baseline.entry.scale
    key("5")
    enter(win)  # complete: plain Enter confirms
    assert baseline.stack.currentWidget() is baseline.handoff
    assert len(win.ctx.session.baselines()) == 1


def test_scale_shows_where_the_keyboard_is(window) -> None:  # type: ignore[no-untyped-def]
    win = window
    setup_session(win)
    baseline = win.screens["baseline"]
    enter(win)
    scale = baseline.entry.scale
    assert focused() is scale
    with_focus = scale.grab().toImage().pixelColor(1, scale.height() // 2)
    baseline.entry.setFocus()
    QApplication.processEvents()
    without = scale.grab().toImage().pixelColor(1, scale.height() // 2)
    assert with_focus != without  # a coloured frame while the scale has the keyboard


def test_zoom_is_remembered(make_window) -> None:  # type: ignore[no-untyped-def]
    from consensus_desktop.gui import style

    win = make_window()
    title = win.screens["start"].title_label
    before = title.font().pointSizeF()
    QTest.keyClick(win, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(win, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert style.zoom() == 1.3
    assert title.font().pointSizeF() == pytest.approx(before * 1.3)
    win.close()
    style._state["zoom"] = 1.0  # as after a restart: read back from the config folder
    again = make_window()
    assert style.zoom() == 1.3
    assert again.screens["start"].title_label.font().pointSizeF() == pytest.approx(before * 1.3)
    QTest.keyClick(again, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert style.zoom() == 1.0
    again.close()


def test_export_shortcut_says_where_the_file_went(
    window, no_dialogs, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from drive import run_whole_session

    win = window
    run_whole_session(win)
    results = win.screens["results"]
    target = tmp_path / "out.sqlite"
    monkeypatch.setattr(results, "_ask_save", lambda *a: target)
    no_dialogs["inform"].append(None)
    QTest.keyClick(win, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert target.exists() and not no_dialogs["inform"]


def test_the_small_default_model_is_named_as_rough(make_window) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from fakes import FakeEngine

    from consensus_desktop.model_catalog import default_entry

    engine = FakeEngine()
    engine.info = replace(engine.info, file_name=default_entry().file)
    win = make_window(engine)
    start = win.screens["start"]
    assert start.model_note.isVisible() and "rough" in start.model_note.text()
    assert "rough" in win.model_status.text() and "rough" in win.model_menu_note.text()
    win.close()
    other = make_window()
    assert not other.screens["start"].model_note.isVisible()
    assert "rough" not in other.model_status.text()
    other.close()


def test_results_list_and_a_critique_round_decided_on_the_result_screen(window, no_dialogs) -> None:  # type: ignore[no-untyped-def]
    from drive import run_whole_session

    win = window
    run_whole_session(win)
    flow = win.ctx.session
    results = win.screens["results"]
    n = flow.settings.n_candidates
    assert results.every.rowCount() == n
    texts = [results.every.item(r, 5).text() for r in range(n)]
    assert sum("(chosen" in t for t in texts) == 1
    rated = [results.every.item(r, 4).text() for r in range(n)]
    assert rated.count("4") == flow.settings.shortlist_k and "not rated" in rated
    QTest.keyClick(win, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert results.tabs.currentWidget() is results.every
    # the room wants another go: a critique round from here, not from the set-up
    no_dialogs["confirm"].append(True)
    click(next(b for b in results.findChildren(QAbstractButton) if "Critique" in b.text()))
    assert win.current is win.screens["critique"]
    pass_round(win, lambda i: type_text("Say who pays for it."))
    wait_until(lambda: win.current is win.screens["tradeoffs"])
    assert flow.rounds_done() == 2
    # round 1's choice stays in the running with its ratings, said on screen; letters go on
    first = flow.selection()
    s = flow.scores()
    assert all(c.text.startswith("Revised: ") for c in s.candidates[:-1])
    assert s.carried == len(s.candidates) - 1
    assert s.candidates[-1].id == first["candidate_id"]
    assert [c.label for c in s.candidates[:2]] == [candidate_label(n), candidate_label(n + 1)]
    trade = win.screens["tradeoffs"]
    kept = s.label(s.carried)
    assert f"{kept}, round 1's choice, with the room's ratings from then" in trade.trust.text()
    ctrl_enter(win)
    pass_round(win, rate_shortlist)
    wait_until(lambda: win.current is trade)
    # the facilitator picks a revised statement the room rated lower than round 1's choice
    s = trade.scores
    means = {i: float(np.nanmean(s.rated[i])) for i in trade.choosable}
    lower = min((i for i in trade.choosable if i != s.carried), key=means.get)
    assert means[lower] < means[s.carried]
    click_table_row(trade.table, trade.order.index(lower))
    ctrl_enter(win)
    wait_until(lambda: win.current is results)
    assert results.every.rowCount() == 2 * n
    assert results.every.item(n, 0).text() == f"2·{candidate_label(n)}"
    assert "lower" in results.warnings.text() and results.keep_button.isVisible()
    assert results.keep_button.text() == f"Keep round 1's choice ({kept})"
    click(results.keep_button)
    assert flow.selection()["candidate_id"] == first["candidate_id"]
    assert not results.keep_button.isVisible() and "lower" not in results.warnings.text()
    assert results.statement.text() == f"“{first['text']}”"
    kinds = [e["kind"] for e in flow.store.db.table("events").rows]
    assert "critique_round" in kinds


def test_intro_text_is_editable_stored_and_consent_recorded(window) -> None:  # type: ignore[no-untyped-def]
    win = window
    s = new_session(win)
    fill(s.question, "Should we plant more trees?")
    fill(s.people, "\n".join(NAMES))
    fill(s.intro, "Welcome to the tree jury. Nothing leaves this laptop.")
    ctrl_enter(win)
    intro = win.screens["intro"]
    assert win.current is intro
    enter(win)
    assert "Welcome to the tree jury." in visible_text(win)
    enter(win)  # Ann agrees
    enter(win)
    decline = next(b for b in intro.entry.findChildren(QAbstractButton) if "not want" in b.text())
    click(decline)  # Ben does not take part
    for _ in range(2):
        enter(win)
        enter(win)
    hand_back(win)
    flow = win.ctx.session
    assert win.current is win.screens["baseline"]
    ids = [p["id"] for p in flow.participants]
    assert flow.consents() == {ids[0]: True, ids[1]: False, ids[2]: True, ids[3]: True}
    assert flow.absent_names() == ["Ben"]
    assert json.loads(flow.row["settings"])["intro"].startswith("Welcome to the tree jury.")
    assert "Ben" not in win.screens["baseline"].handoff_title.text()


def test_rehearsal_is_labelled_and_kept_out_of_research_data(window, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFileDialog

    from consensus_desktop.reward.session_data import conversations_from_sessions

    win = window
    start = win.screens["start"]
    click(next(b for b in start.findChildren(QAbstractButton) if "Rehearse" in b.text()))
    wait_until(lambda: win.current is win.screens["tradeoffs"])
    flow = win.ctx.session
    assert flow.settings.rehearsal and flow.name.startswith("REHEARSAL")
    assert win.rehearsal_banner.isVisible() and "examples" in win.rehearsal_banner.text()
    assert all(p["pseudonym"].startswith("Example") for p in flow.participants)
    assert len(flow.opinions()) == 4 and len(flow.baselines()) == 4
    ctrl_enter(win)
    pass_round(win, rate_shortlist)
    ctrl_enter(win)
    wait_until(lambda: win.current is win.screens["results"])
    out = tmp_path / "rehearsal.sqlite"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    said: list[str] = []  # the box that says where the file went
    monkeypatch.setattr(dialogs, "inform", lambda parent, title, text: said.append(text))
    settle()
    QTest.keyClick(focused(), Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # Ctrl+E
    assert out.exists() and said == [f"The session file was saved to:\n{out}"]
    assert conversations_from_sessions([out]) == []  # rated, but never training data
    settle()
    QTest.keyClick(focused(), Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)  # Start page
    assert win.current is win.screens["start"]
    assert not win.rehearsal_banner.isVisible()


def test_a_regeneration_asked_for_survives_closing_the_app(make_window) -> None:  # type: ignore[no-untyped-def]
    from fakes import FakeEngine

    win = make_window(FakeEngine(delay=0.2))
    setup_session(win)
    pass_round(win, lambda i: key("4"))
    pass_round(win, lambda i: type_text(OPINIONS[i]))
    wait_until(lambda: win.current is win.screens["tradeoffs"])
    click(win.screens["tradeoffs"].regenerate_button)
    assert win.current is win.screens["generation"]
    win.close()  # before the new statements are written
    again = make_window()
    ctrl_enter(again)  # resume: the generation step
    wait_until(lambda: again.current is again.screens["tradeoffs"])
    flow = again.ctx.session
    assert flow.rounds_done() == 1 and len(flow.round_run_ids()) == 2
    assert not flow.regenerating
    again.close()
