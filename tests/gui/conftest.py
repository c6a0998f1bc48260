from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
sys.path.insert(0, str(Path(__file__).parent))

from drive import show, use_fake_clock
from fakes import FakeEngine, FakeReward


@pytest.fixture(autouse=True)
def no_thread_left_running(qtbot) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Every thread the app starts (model owner, downloads, imports) is stopped by its owner."""
    from consensus_desktop.gui.worker import running_threads

    yield
    assert running_threads() == [], "threads left running"
    gc.collect()  # while Qt is alive: PySide6 objects collected at interpreter exit can crash it


@pytest.fixture()
def make_window(qtbot, tmp_path: Path) -> Iterator[Callable[..., Any]]:  # type: ignore[no-untyped-def]
    """Open the app on a library in tmp_path (the same one each call, as after a restart)."""
    from consensus_desktop.gui.engine_host import EngineHost
    from consensus_desktop.gui.main_window import MainWindow
    from consensus_desktop.store.session_store import SessionStore

    hosts: list[EngineHost] = []

    def make(engine: FakeEngine | None = None) -> MainWindow:
        host = EngineHost()
        host.use(engine or FakeEngine(), FakeReward())
        hosts.append(host)
        win = MainWindow(
            store=SessionStore(tmp_path / "library.sqlite"), engine_host=host, load_model=False
        )
        qtbot.addWidget(win)
        use_fake_clock(win)
        show(qtbot, win)
        return win

    yield make
    for host in hosts:
        assert not host.runner.worker_thread.isRunning(), "a worker thread was left running"


@pytest.fixture()
def window(make_window) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    win = make_window()
    yield win
    win.close()
