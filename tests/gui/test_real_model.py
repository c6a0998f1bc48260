"""One whole session on the real default model (small N), keyboard only."""

from __future__ import annotations

from pathlib import Path

import pytest
from drive import run_whole_session, show, step_to, wait_until

pytestmark = pytest.mark.model


def test_whole_session_on_the_default_model(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from consensus_desktop.gui.engine_host import EngineHost
    from consensus_desktop.gui.main_window import MainWindow
    from consensus_desktop.store.session_store import SessionStore

    host = EngineHost()
    win = MainWindow(store=SessionStore(tmp_path / "lib.sqlite"), engine_host=host)
    qtbot.addWidget(win)
    show(qtbot, win)
    wait_until(lambda: host.is_ready, 120_000)
    # the small default model is named as such, and as rough
    assert "Gemma 3 270M" in win.model_status.text() and "rough" in win.model_status.text()
    assert win.screens["start"].model_note.isVisible()
    run_whole_session(win, adjust=lambda s: (step_to(s.n, 4), step_to(s.k, 3)))
    flow = win.ctx.session
    scores = flow.scores()
    assert len(scores.candidates) == 4
    assert all(c.text.strip() for c in scores.candidates)
    assert flow.selection() is not None
    run = flow.store.db.table("generation_runs").get(flow.latest_run_id())
    assert run["model_file"] == "gemma-3-270m-q4_k_m.gguf" and run["n_found"] == 4
    win.close()
    assert not host.runner.worker_thread.isRunning()
