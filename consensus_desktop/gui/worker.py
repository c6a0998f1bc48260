"""Run one of the core's generators on a worker thread and turn its events into Qt signals.

The generator's ``should_stop`` is wired to :meth:`GeneratorWorker.cancel`; the worker never
touches widgets. One ``JobRunner`` owns one thread, so the model (or the database) it serves has a
single owner thread. Every thread the app starts is a ``JobRunner``'s; ``running_threads`` names
those still running, for the tests' leak guard.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, Signal, Slot

from consensus_desktop.engine.errors import GenerationCancelled
from consensus_desktop.gui.dialogs import describe

JobFactory = Callable[[Callable[[], bool]], Iterator[Any]]


class GeneratorWorker(QObject):
    item = Signal(object)
    finished = Signal(object)  # the last event, or None
    failed = Signal(object)  # a dialogs.Failure: title and one sentence
    cancelled = Signal()
    ended = Signal()  # after any of the above: the runner may let go of the worker

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
        except Exception as exc:  # a ConsensusError's sentence; a bug: logged, never swallowed
            self.failed.emit(describe(exc))
        finally:
            self.ended.emit()


_STARTED: set[JobRunner] = set()  # held until shut down: a running QThread is never collected


def running_threads() -> list[str]:
    """Names of the threads the app started that are still running."""
    return sorted(r.worker_thread.objectName() for r in _STARTED if r.worker_thread.isRunning())


class JobRunner(QObject):
    """A long-lived thread that runs one job at a time, in the order they were submitted."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker_thread = QThread()
        self.worker_thread.setObjectName(name)
        self.worker_thread.start()
        _STARTED.add(self)
        self.current: GeneratorWorker | None = None
        # Every submitted worker is held until its last signal has reached this (GUI) thread: a
        # worker collected while its queued signals are pending crashed PySide6 (none_dealloc).
        self._held: set[GeneratorWorker] = set()

    def submit(self, factory: JobFactory, start: bool = True) -> GeneratorWorker:
        """Queue a job on the thread. With ``start=False`` the caller connects to the worker's
        signals first and then calls :meth:`start`, so that not even a fast job's first events
        are emitted before anyone listens."""
        worker = GeneratorWorker(factory)
        worker.moveToThread(self.worker_thread)
        self.current = worker
        self._held.add(worker)
        worker.ended.connect(self._release)
        if start:
            self.start(worker)
        return worker

    @Slot()
    def _release(self) -> None:
        self._held.discard(self.sender())

    @staticmethod
    def start(worker: GeneratorWorker) -> None:
        # queued: run() starts on the worker thread, after the jobs queued before it
        QMetaObject.invokeMethod(worker, "run", Qt.ConnectionType.QueuedConnection)

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        if self.current is not None:
            self.current.cancel()
        self.worker_thread.quit()
        stopped = self.worker_thread.wait(timeout_ms)
        if stopped:
            _STARTED.discard(self)
        return stopped


class DialogJob:
    """One job at a time on a dialog's own thread (a download, an import, a training run): the
    thread starts when first needed and stops with the dialog (:meth:`stop` from its ``done``).
    The callbacks must be the dialog's bound methods, so that Qt runs them on the GUI thread (a
    lambda would run on the worker's thread and touch widgets from there)."""

    def __init__(self, name: str, owner: QObject) -> None:
        self.name, self.owner = name, owner
        self.runner: JobRunner | None = None
        self.worker: GeneratorWorker | None = None  # the running job; None when idle

    def start(
        self,
        job: JobFactory,
        on_item: Callable[[object], None],
        on_finished: Callable[[object], None],
        on_cancelled: Callable[[], None],
        on_failed: Callable[[Any], None],
    ) -> GeneratorWorker:
        if self.runner is None:
            self.runner = JobRunner(self.name, self.owner)
        worker = self.worker = self.runner.submit(job, start=False)
        worker.item.connect(on_item)
        worker.finished.connect(on_finished)
        worker.cancelled.connect(on_cancelled)
        worker.failed.connect(on_failed)
        self.runner.start(worker)
        return worker

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def stop(self) -> None:
        self.cancel()
        if self.runner is not None:
            self.runner.shutdown()
            self.runner = None
        self.worker = None
