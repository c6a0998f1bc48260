from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
sys.path.insert(0, str(Path(__file__).parent))

from drive import show
from fakes import FakeEngine, FakeReward


@pytest.fixture()
def window(qtbot, tmp_path: Path) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QThread

    from consensus_desktop.gui.engine_host import EngineHost
    from consensus_desktop.gui.main_window import MainWindow
    from consensus_desktop.store.session_store import SessionStore

    store = SessionStore(tmp_path / "library.sqlite")
    host = EngineHost()
    host.use(FakeEngine(), FakeReward())
    win = MainWindow(store=store, engine_host=host, load_model=False)
    qtbot.addWidget(win)
    show(qtbot, win)
    yield win
    win.close()
    assert not host.runner.worker_thread.isRunning(), "a worker thread was left running"
    assert QThread.currentThread() is not None
