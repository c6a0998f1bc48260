"""The generation screen on the real default model: the bar moves while the prompt is read, and
candidates appear one by one as they pass the gate, before the run ends."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from drive import GENERATION_MS, OPINIONS, key, pass_round, setup_session, show, type_text
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.model


def test_progress_in_the_first_second_and_each_candidate_as_it_passes(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
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
    # (seconds, stage line, bar, candidates listed, run still going) from the last Ctrl+Enter on
    seen: list[tuple[float, str, int, int, bool]] = []
    pass_round(win, lambda i: type_text(OPINIONS[i]))  # the facilitator's Ctrl+Enter starts it
    start = time.perf_counter()
    while not (seen and seen[-1][3] and seen[-1][4]):  # a candidate listed, the run going on
        assert win.current is gen, "the run ended before a candidate was seen during it"
        seen.append(
            (
                time.perf_counter() - start,
                gen.stage.text(),
                gen.bar.value(),
                gen.list.count(),
                gen.worker is not None,
            )
        )
        assert seen[-1][0] * 1000 < GENERATION_MS
        QApplication.processEvents()
        QTest.qWait(10)
    writing = next(t for t, stage, *_ in seen if stage.startswith("Writing statements"))
    moved = next(t for t, _, bar, *_ in seen if bar > 0)
    assert moved - writing < 1.0, (writing, moved)
    assert 0 < seen[-1][2] < 1000  # the bar, part of the way, when the first candidate shows
    # cancel the rest: nothing more to see
    QTest.keyClick(QApplication.focusWidget() or win, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: gen.worker is None, timeout=GENERATION_MS)
    win.close()
    assert not host.runner.worker_thread.isRunning()
