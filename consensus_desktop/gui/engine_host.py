"""Owns the model on its own thread: loads it, runs the core's generators as jobs, closes it.

Every call into the engine and reward model, closing them included, happens on the one
``model-owner`` thread; jobs run there in the order they were submitted. Switching models keeps
the old engine in service until the new one has loaded; the old one is then closed by a job on
the owner thread, after any job already queued for it. A failed load leaves the old one in use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from consensus_desktop.errors import ConsensusError
from consensus_desktop.gui.dialogs import Failure, describe
from consensus_desktop.gui.worker import GeneratorWorker, JobRunner


class _Loaded:
    def __init__(self, engine: Any, reward: Any) -> None:
        self.engine, self.reward = engine, reward


class _LoadFailed:
    def __init__(self, failure: Failure) -> None:
        self.failure = failure


def _close_job(engine: Any, reward: Any) -> Callable[[Callable[[], bool]], Iterator[Any]]:
    def job(should_stop: Callable[[], bool]) -> Iterator[Any]:
        if reward is not None:
            reward.close()
        if engine is not None:
            engine.close()
        yield from ()

    return job


class EngineHost(QObject):
    """``status`` carries a one-line model status for the status bar."""

    status = Signal(str)
    ready = Signal()
    # A failed load arrives as an item, not through the worker's ``failed`` signal: with PySide6
    # 6.12, re-emitting from a slot queued by that str signal made the interpreter crash at exit.
    load_failed = Signal(object)  # a dialogs.Failure

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = JobRunner("model-owner", self)
        self.engine: Any = None
        self.reward: Any = None
        self.error = ""

    @property
    def is_ready(self) -> bool:
        return self.engine is not None

    def load(
        self,
        model_path: str | None,
        n_gpu_layers: int | None = None,
        server: Any = None,
        adapter: Path | None = None,
    ) -> None:
        """Load a local GGUF (None: the default model), with a LoRA ``adapter`` if given, or
        connect to ``server`` (a :class:`~consensus_desktop.engine.server.ServerSpec`) instead."""

        def job(should_stop: Callable[[], bool]) -> Iterator[Any]:
            if server is not None:
                yield f"Model: connecting to {server.url}…"
            else:
                yield (
                    "Model: preparing the default model…"
                    if model_path is None
                    else "Model: loading…"
                )
            try:
                if server is not None:
                    yield from self.open_server(server)
                else:
                    yield from self.open_model(model_path, n_gpu_layers, adapter)
            except ConsensusError as exc:  # reported as an item: see ``load_failed``
                yield _LoadFailed(describe(exc))

        worker = self.runner.submit(job, start=False)
        worker.item.connect(self._on_item)
        worker.failed.connect(self._on_failed)  # a bug, with its exception type
        self.runner.start(worker)

    @staticmethod
    def open_model(
        model_path: str | None, n_gpu_layers: int | None, adapter: Path | None = None
    ) -> Iterator[Any]:
        """Runs on the owner thread: status lines, then the loaded engine and its reward."""
        from consensus_desktop.engine.factory import ModelSpec, open_backend
        from consensus_desktop.model_catalog import resolve_model
        from consensus_desktop.reward.select import reward_for

        path = resolve_model(model_path)
        yield f"Model: loading {path.name}…"
        engine = open_backend(ModelSpec(path, n_gpu_layers=n_gpu_layers, adapter=adapter))
        yield _Loaded(engine, reward_for(engine))

    @staticmethod
    def open_server(server: Any) -> Iterator[Any]:
        """Runs on the owner thread: the server backend and the reward for it."""
        from consensus_desktop.engine.factory import ModelSpec, open_backend
        from consensus_desktop.reward.select import reward_for

        engine = open_backend(ModelSpec(server=server))
        yield _Loaded(engine, reward_for(engine))

    def use(self, engine: Any, reward: Any) -> None:
        """Serve an engine built elsewhere (the self-test, or a fake in GUI tests)."""
        self._on_item(_Loaded(engine, reward))

    def _on_item(self, item: object) -> None:
        if isinstance(item, str):
            self.status.emit(item)
        elif isinstance(item, _LoadFailed):
            self._on_failed(item.failure)
        elif isinstance(item, _Loaded):
            old = (self.engine, self.reward)
            self.engine, self.reward = item.engine, item.reward
            if old != (None, None):  # closed on the owner thread, after the jobs queued for it
                self.runner.submit(_close_job(*old))
            info = self.engine.info
            self.status.emit(f"Model: {info.label} · {info.location} · loaded")
            self.ready.emit()

    def _on_failed(self, failure: Failure) -> None:
        self.error = failure.text
        if self.engine is not None:
            self.status.emit(
                f"Model: {self.engine.info.file_name} still in use (the new one failed)"
            )
        else:
            self.status.emit("Model: not available")
        self.load_failed.emit(failure)

    def submit(
        self, factory: Callable[[Callable[[], bool]], Iterator[Any]], start: bool = True
    ) -> GeneratorWorker:
        """Queue a job on the model's thread. A caller that listens to the job passes
        ``start=False``, connects, then calls :meth:`start`: a job that fails at once would
        otherwise emit its signals before anyone is connected, and the screen would wait forever."""
        return self.runner.submit(factory, start)

    def start(self, worker: GeneratorWorker) -> None:
        self.runner.start(worker)

    def shutdown(self) -> None:
        self.runner.shutdown()
        if self.reward is not None:
            self.reward.close()
            self.reward = None
        if self.engine is not None:
            self.engine.close()
            self.engine = None
