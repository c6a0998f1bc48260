"""Run one of the core's generators on a worker thread and turn its events into Qt signals.

The generator's ``should_stop`` is wired to :meth:`GeneratorWorker.cancel`; the worker never
touches widgets. One ``JobRunner`` owns one thread, so the model (or the database) it serves has a
single owner thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, Signal, Slot

from consensus_desktop.engine.errors import GenerationCancelled

JobFactory = Callable[[Callable[[], bool]], Iterator[Any]]


class GeneratorWorker(QObject):
    item = Signal(object)
    finished = Signal(object)  # the last event, or None
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, factory: JobFactory) -> None:
        super().__init__()
        self._factory = factory
        self._stop = threading.Event()

    def cancel(self) -> None:
        self._stop.set()

    @Slot()
    def run(self) -> None:
        last = None
        try:
            for item in self._factory(self._stop.is_set):
                last = item
                self.item.emit(item)
            self.finished.emit(last)
        except GenerationCancelled:
            self.cancelled.emit()
        except Exception as exc:  # reported to the user, never swallowed silently
            self.failed.emit(f"{type(exc).__name__}: {exc}")


class JobRunner(QObject):
    """A long-lived thread that runs one job at a time."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker_thread = QThread()
        self.worker_thread.setObjectName(name)
        self.worker_thread.start()
        self.current: GeneratorWorker | None = None

    def submit(self, factory: JobFactory) -> GeneratorWorker:
        worker = GeneratorWorker(factory)
        worker.moveToThread(self.worker_thread)
        self.current = worker
        # queued: run() starts on the worker thread
        QMetaObject.invokeMethod(worker, "run", Qt.ConnectionType.QueuedConnection)
        return worker

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        if self.current is not None:
            self.current.cancel()
        self.worker_thread.quit()
        return self.worker_thread.wait(timeout_ms)
