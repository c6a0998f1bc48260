"""Run by test_engine_host.py in a child process (see there): switch models on an EngineHost."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent.parent))  # sample_inputs, which fakes uses
sys.path.insert(0, str(Path(__file__).parent))

from fakes import FakeEngine, FakeReward
from PySide6.QtCore import QCoreApplication, QElapsedTimer

from consensus_desktop.gui.engine_host import EngineHost, _Loaded
from consensus_desktop.gui.worker import running_threads


def wait_until(check: Callable[[], bool], ms: int = 10_000) -> None:
    timer = QElapsedTimer()
    timer.start()
    while not check():
        if timer.elapsed() > ms:
            raise TimeoutError
        QCoreApplication.processEvents()


class RecordingEngine(FakeEngine):
    def __init__(self, name: str, closed_on: list[tuple[str, int]]) -> None:
        super().__init__()
        self.name = name
        self.closed_on = closed_on

    def close(self) -> None:
        self.closed_on.append((self.name, threading.get_ident()))


def main() -> None:
    app = QCoreApplication([])
    report: dict[str, Any] = {}
    closed: list[tuple[str, int]] = []
    host = EngineHost()
    old = RecordingEngine("old", closed)
    host.use(old, FakeReward())
    gate = threading.Event()

    def slow_open(path: Any, layers: Any, server: Any = None) -> Iterator[Any]:
        gate.wait(5)
        if path == "broken.gguf":
            from consensus_desktop.engine.errors import NotAGGUFFile

            raise NotAGGUFFile("broken.gguf is not a GGUF model file.")
        yield _Loaded(RecordingEngine("new", closed), FakeReward())

    host.open_model = slow_open  # type: ignore[method-assign]
    failures: list[str] = []
    host.load_failed.connect(lambda failure: failures.append(f"{failure.title}: {failure.text}"))
    host.load("broken.gguf")
    report["serving_while_loading"] = host.engine is old and host.is_ready
    gate.set()
    wait_until(lambda: failures != [])
    report["failures"] = failures
    report["old_kept_after_failure"] = host.engine is old and closed == []
    ready: list[bool] = []
    host.ready.connect(lambda: ready.append(True))
    host.load("new.gguf")
    wait_until(lambda: ready != [] and closed != [])
    report["now"] = host.engine.name
    owner: list[int] = []

    def whoami(should_stop: Callable[[], bool]) -> Iterator[object]:
        owner.append(threading.get_ident())
        yield from ()

    host.submit(whoami)
    wait_until(lambda: owner != [])
    report["old_closed_on_owner_thread"] = closed == [("old", owner[0])]
    report["owner_is_not_gui_thread"] = owner[0] != threading.get_ident()
    host.shutdown()
    report["threads_left"] = running_threads()
    print(json.dumps(report), flush=True)
    del app
    # PySide6 6.12 sometimes crashes while collecting at interpreter exit after this scenario
    # (none_dealloc / bool_dealloc); the report is out, so leave without that collection.
    os._exit(0)


if __name__ == "__main__":
    main()
