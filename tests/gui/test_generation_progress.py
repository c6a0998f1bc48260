"""The generation screen on the real default model: the bar moves while the prompt is read, and
candidates appear one by one as they pass the gate, before the run ends.

Checked by what the screen showed and in which order, not by seconds (the machine's load decides
those): every value the bar took is recorded, and the prompt's share of the bar (its first 10%)
must show progress before any candidate does."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from drive import GENERATION_MS, OPINIONS, key, pass_round, setup_session, show, type_text
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from consensus_desktop.engine.types import Candidate, Progress

pytestmark = pytest.mark.model


def test_progress_while_the_prompt_is_read_and_each_candidate_as_it_passes(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    from consensus_desktop.gui.engine_host import EngineHost
    from consensus_desktop.gui.main_window import MainWindow
    from consensus_desktop.store.session_store import SessionStore

    host = EngineHost()
    win = MainWindow(store=SessionStore(tmp_path / "lib.sqlite"), engine_host=host)
    qtbot.addWidget(win)
    show(qtbot, win)
    qtbot.waitUntil(lambda: host.is_ready, timeout=120_000)
    setup_session(win)
    pass_round(win, lambda i: key(str(2 + i)))  # baseline ratings
    gen = win.screens["generation"]
    assert win.current is win.screens["opinions"]
    bar_values: list[int] = []
    gen.bar.valueChanged.connect(bar_values.append)
    shown: list[object] = []  # what reached the screen, in order (observed, the screen's own
    screen_item = gen._on_item  # handler still does the work)
    gen._on_item = lambda item: (shown.append(item), screen_item(item))
    pass_round(win, lambda i: type_text(OPINIONS[i]))  # the facilitator's Ctrl+Enter starts it
    start = time.perf_counter()
    while not (gen.list.count() and gen.worker is not None):  # a candidate listed, run going on
        assert win.current is gen, "the run ended before a candidate was seen during it"
        assert (time.perf_counter() - start) * 1000 < GENERATION_MS
        QApplication.processEvents()
        QTest.qWait(10)
    first = next(i for i, item in enumerate(shown) if isinstance(item, Candidate))
    reading = [
        p for p in shown[:first] if isinstance(p, Progress) and 0 < p.prompt_done < p.prompt_tokens
    ]
    assert len(reading) >= 2, shown[:first]  # the prompt, read in steps, before any candidate
    assert int(1000 * reading[0].fraction) in bar_values  # and the bar showed it
    assert 0 < reading[0].fraction < 0.1  # in the prompt's share of the bar
    assert 0 < gen.bar.value() < 1000  # part of the way when the first candidate shows
    # cancel the rest: nothing more to see
    QTest.keyClick(QApplication.focusWidget() or win, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: gen.worker is None, timeout=GENERATION_MS)
    win.close()
    assert not host.runner.worker_thread.isRunning()
