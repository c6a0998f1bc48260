"""The facilitation flow, keyboard only, on a fake engine (fast) and once on the real model."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import sqlite_utils
from drive import (
    NAMES,
    OPINIONS,
    click,
    ctrl_enter,
    fill,
    focused,
    key,
    new_session,
    run_whole_session,
    wait_until,
)
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def test_whole_session_from_setup_to_export(window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from drive import click_menu_entry
    from PySide6.QtWidgets import QFileDialog

    win = window
    run_whole_session(win)
    flow = win.ctx.session
    assert flow.step == "results"
    assert set(flow.baselines().values()) == {2, 3, 4, 5}
    assert sorted(flow.opinions().values()) == sorted(OPINIONS)
    assert len(flow.raters()) == 4
    sel = flow.selection()
    assert sel is not None and sel["text"]
    results = win.screens["results"]
    saves = [str(tmp_path / "session.sqlite"), str(tmp_path / "anon.sqlite")]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (saves.pop(0), ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "csv"))
    (tmp_path / "csv").mkdir()
    said: list[str] = []

    def read_and_close() -> None:  # this entry says where the file went; Enter closes that
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(10, read_and_close)
            return
        said.append(box.text())
        QTest.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(0, read_and_close)
    click_menu_entry(results.export_button, "Session file… (Ctrl+E)")
    assert len(saves) == 1  # the save dialog was asked
    assert said == [f"The session file was saved to:\n{tmp_path / 'session.sqlite'}"]
    out = tmp_path / "session.sqlite"
    exported = sqlite_utils.Database(out)
    assert exported["ratings"].count == 4 * 4  # 4 people x shortlist of 4
    assert exported["baseline_ratings"].count == 4
    assert exported["rankings"].count == 4
    assert exported["selections"].count >= 1
    click_menu_entry(results.export_button, "Anonymised session file…")
    assert saves == []
    anon = tmp_path / "anon.sqlite"
    dump = "\n".join(sqlite_utils.Database(anon).conn.iterdump())
    assert not any(name in dump for name in NAMES)
    click_menu_entry(results.export_button, "CSV files…")
    folder = tmp_path / "csv"
    assert (folder / "votes.csv").exists() and (folder / "ratings.csv").exists()
    # the projector shows the chosen statement and never a name or an opinion
    proj = win.ctx.projector
    shown = proj.question.text() + proj.statement.text()
    assert sel["text"] in shown
    assert not any(n in shown for n in NAMES) and not any(o in shown for o in OPINIONS)


def test_rejected_samples_and_the_shortlist_rule_are_on_screen(window) -> None:  # type: ignore[no-untyped-def]
    from fakes import META_STATEMENT

    run_whole_session(window)
    rule, folded, rejected = window.ctx.session.run_screening()
    assert [r["text"] for r in rejected] == [META_STATEMENT] and folded == 0
    screen = window.screens["tradeoffs"]
    screen._show_screening()
    assert rule in screen.screening.text() and "1 sample(s) rejected" in screen.screening.text()
    assert "0 near-duplicate" in screen.screening.text()
    assert screen.rejected_button.text() == "Rejected samples (1)"
    click(screen.rejected_button)
    item = screen.rejected_list.item(0).text()
    assert "about the opinions or participants" in item and META_STATEMENT in item


def test_choice_runs_on_real_ratings(window) -> None:  # type: ignore[no-untyped-def]
    win = window
    run_whole_session(win)
    flow = win.ctx.session
    scores = flow.scores()
    assert scores.has_ratings
    rated_rows = [
        i for i in range(len(scores.candidates)) if (scores.rated[i] == scores.rated[i]).any()
    ]
    assert len(rated_rows) == 4
    # ratings replace predictions where given
    for i in rated_rows:
        mask = scores.rated[i] == scores.rated[i]
        assert (scores.combined[i][mask] == scores.rated[i][mask]).all()
    assert flow.schulze() is not None
    sel = flow.selection()
    alpha = sel["alpha"]
    expected = scores.candidates[flow.order_at(alpha if alpha is not None else math.inf, scores)[0]]
    assert sel["candidate_id"] == expected.id


def test_critique_round_revises_and_rerates(window) -> None:  # type: ignore[no-untyped-def]
    win = window

    def tick_critique(setup) -> None:  # type: ignore[no-untyped-def]
        setup.critique.setFocus()
        key(" ")  # Space ticks the focused box
        assert setup.critique.isChecked()

    run_whole_session(win, critique=True, adjust=tick_critique)
    flow = win.ctx.session
    assert flow.rounds_done() == 2
    assert len(flow.raters()) == 4  # the revised shortlist was rated too
    # the welfare choice among the revised statements and round 1's choice, still in the running
    s = flow.scores()
    assert s.carried is not None and not s.candidates[s.carried].text.startswith("Revised: ")
    best = next(i for i in flow.order_at(flow.settings.alpha, s) if s.is_rated(i))
    assert flow.selection()["candidate_id"] == s.candidates[best].id


def test_resume_after_closing_mid_session(make_window) -> None:  # type: ignore[no-untyped-def]
    from drive import pass_round, setup_session

    win = make_window()
    setup_session(win)
    pass_round(win, lambda i: key("6"))
    assert win.current is win.screens["opinions"]
    win.close()  # e.g. the laptop runs out of battery between steps
    again = make_window()
    start = again.screens["start"]
    assert start.recent.count() == 1
    ctrl_enter(again)
    assert again.current is again.screens["opinions"]
    assert set(again.ctx.session.baselines().values()) == {6}
    again.close()


def test_generation_can_be_cancelled_and_window_closed_mid_run(make_window) -> None:  # type: ignore[no-untyped-def]
    from drive import pass_round, setup_session, type_text
    from fakes import FakeEngine

    win = make_window(FakeEngine(delay=0.2))
    setup_session(win)
    pass_round(win, lambda i: key("4"))
    pass_round(win, lambda i: type_text(OPINIONS[i]))
    gen = win.screens["generation"]
    assert win.current is gen
    wait_until(lambda: gen.list.count() >= 1)
    started = time.monotonic()
    QTest.keyClick(focused(), Qt.Key.Key_Escape)  # Esc cancels the run
    wait_until(lambda: gen.worker is None, 5000)
    assert time.monotonic() - started < 2
    assert "Cancelled" in gen.stage.text()
    ctrl_enter(win)  # Write statements (Ctrl+Enter) again
    wait_until(lambda: gen.list.count() >= 1)
    win.close()  # closing mid-generation is safe: the worker stops, the thread ends
    assert not win.ctx.engine.runner.worker_thread.isRunning()


def test_bad_setup_input_is_explained_on_screen(window) -> None:  # type: ignore[no-untyped-def]
    win = window
    s = new_session(win)
    fill(s.question, "Should we?")
    fill(s.people, "Ann\nBen")
    ctrl_enter(win)
    assert win.current is s and "3 to 12 participants" in s.error_label.text()
    fill(s.people, "Ann\nBen\nann")
    ctrl_enter(win)
    assert "same pseudonym" in s.error_label.text()


def test_settings_are_saved_with_the_session(window) -> None:  # type: ignore[no-untyped-def]
    win = window
    s = new_session(win)
    fill(s.question, "Should we?")
    fill(s.people, "\n".join(NAMES))
    s.alpha.setFocus()
    for _ in range(3):  # the fourth ranking in the list
        QTest.keyClick(s.alpha, Qt.Key.Key_Down)
    assert s.alpha.currentIndex() == 3
    fill(s.n, "6")
    ctrl_enter(win)
    raw = json.loads(win.ctx.session.row["settings"])
    assert raw["alpha"] == "inf" and raw["n_candidates"] == 6


def test_ctrl_shift_a_queues_the_typed_question(window) -> None:  # type: ignore[no-untyped-def]
    """The button's shortcut, typed in the question field (a button shortcut clicks after a short
    animation, so the queue is waited for, not read at once)."""
    s = new_session(window)
    fill(s.question, "Should we plant more trees?")
    fill(s.statement, "We should plant more trees.")
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_A, ctrl_shift)
    wait_until(lambda: s.queue.count() == 1)
    assert s.queue.item(0).text() == "Should we plant more trees?"
    assert s.question.text() == "" and QApplication.focusWidget() is s.question
    QTest.keyClick(s.question, Qt.Key.Key_A, ctrl_shift)  # nothing typed: a sentence, no entry
    QTest.qWait(300)
    assert s.queue.count() == 1 and s.error_label.text() == "Type or pick a question first."


def test_two_questions_in_one_session(window) -> None:  # type: ignore[no-untyped-def]
    from drive import button, question_round

    win = window
    s = new_session(win)
    fill(s.question, "Should we plant more trees?")
    fill(s.statement, "We should plant more trees.")
    click(button(s, "Add another question (Ctrl+Shift+A)"))
    fill(s.question, "Should we lower the speed limit on roads?")
    fill(s.people, "\n".join(NAMES))
    ctrl_enter(win)
    flow = win.ctx.session
    assert [q["text"] for q in flow.questions] == [
        "Should we plant more trees?",
        "Should we lower the speed limit on roads?",
    ]
    for number in (1, 2):
        assert flow.question["text"] == flow.questions[number - 1]["text"]
        question_round(win, baseline=lambda i: key("5"))
        wait_until(lambda: win.current is win.screens["results"])
        results = win.screens["results"]
        expected = "Next question (Ctrl+Enter)" if number == 1 else "Finish (Ctrl+Enter)"
        assert results.finish_button.text() == expected
        assert flow.selection()["text"]
        ctrl_enter(win)
    assert win.current is win.screens["start"]
    per_question = flow.store.db.execute(
        "SELECT question_id, count(*) FROM selections GROUP BY question_id"
    ).fetchall()
    assert len(per_question) == 2
