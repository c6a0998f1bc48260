"""Owns the model on its own thread: loads it once, runs the core's generators as jobs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, Signal

from consensus_desktop.gui.worker import GeneratorWorker, JobRunner


class _Loaded:
    def __init__(self, engine: Any, reward: Any) -> None:
        self.engine, self.reward = engine, reward


class EngineHost(QObject):
    """``status`` carries a one-line model status for the status bar."""

    status = Signal(str)
    ready = Signal()
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = JobRunner("model-owner", self)
        self.engine: Any = None
        self.reward: Any = None
        self.error = ""

    @property
    def is_ready(self) -> bool:
        return self.engine is not None

    def load(self, model_path: str | None, n_gpu_layers: int | None = None) -> None:
        def job(should_stop: Callable[[], bool]) -> Iterator[Any]:
            from consensus_desktop.cli.common import resolve_model
            from consensus_desktop.engine.factory import ModelSpec, open_backend
            from consensus_desktop.reward.select import reward_for

            yield "Model: preparing the default model…" if model_path is None else "Model: loading…"
            path = resolve_model(model_path)
            yield f"Model: loading {path.name}…"
            engine = open_backend(ModelSpec(path, n_gpu_layers=n_gpu_layers))
            yield _Loaded(engine, reward_for(engine))

        self.engine = None
        worker = self.runner.submit(job)
        worker.item.connect(self._on_item)
        worker.failed.connect(self._on_failed)

    def use(self, engine: Any, reward: Any) -> None:
        """Serve an engine built elsewhere (the self-test, or a fake in GUI tests)."""
        self._on_item(_Loaded(engine, reward))

    def _on_item(self, item: object) -> None:
        if isinstance(item, str):
            self.status.emit(item)
        elif isinstance(item, _Loaded):
            if self.reward is not None:
                self.reward.close()
            if self.engine is not None:
                self.engine.close()
            self.engine, self.reward = item.engine, item.reward
            info = self.engine.info
            self.status.emit(f"Model: {info.file_name} · {info.location} · loaded")
            self.ready.emit()

    def _on_failed(self, message: str) -> None:
        self.error = message
        self.status.emit("Model: not available")
        self.failed.emit(message)

    def submit(self, factory: Callable[[Callable[[], bool]], Iterator[Any]]) -> GeneratorWorker:
        return self.runner.submit(factory)

    def shutdown(self) -> None:
        self.runner.shutdown()
        if self.reward is not None:
            self.reward.close()
            self.reward = None
        if self.engine is not None:
            self.engine.close()
            self.engine = None
