"""The main window: model status always visible. The facilitation flow plugs in here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from consensus_desktop import __version__
from consensus_desktop.gui.worker import JobRunner


class ModelLoaded:
    def __init__(self, engine: Any) -> None:
        self.engine = engine


def load_engine_job(model_path: str | None) -> Any:
    def job(should_stop: Any) -> Iterator[Any]:
        from consensus_desktop.cli.common import resolve_model
        from consensus_desktop.engine.engine import Engine

        yield "locating"
        path: Path = resolve_model(model_path)
        yield "loading"
        yield ModelLoaded(Engine(path))

    return job


class MainWindow(QMainWindow):
    def __init__(self, model_path: str | None = None) -> None:
        super().__init__()
        self.setWindowTitle(f"Consensus Desktop {__version__}")
        self.resize(1100, 700)
        self.engine: Any = None
        self.model_runner = JobRunner("model-owner", self)
        central = QWidget()
        layout = QVBoxLayout(central)
        title = QLabel("Consensus Desktop")
        title.setObjectName("title")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        title.setFont(font)
        layout.addWidget(title, alignment=Qt.AlignmentFlag.AlignHCenter)
        self.message = QLabel(
            "Find a statement the whole group can agree with.\n"
            "The facilitation screens arrive with the next release; the headless "
            "`consensus-desktop run` command runs the method today."
        )
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.setCentralWidget(central)
        self.model_status = QLabel("Model: locating…")
        self.statusBar().addPermanentWidget(self.model_status)
        worker = self.model_runner.submit(load_engine_job(model_path))
        worker.item.connect(self._on_model_event)
        worker.failed.connect(self._on_model_failed)

    def _on_model_event(self, event: object) -> None:
        if isinstance(event, ModelLoaded):
            self.engine = event.engine
            info = self.engine.info
            self.model_status.setText(f"Model: {info.file_name} · {info.backend} · loaded")
        elif event == "loading":
            self.model_status.setText("Model: loading…")

    def _on_model_failed(self, message: str) -> None:
        self.model_status.setText("Model: not available")
        self.message.setText(f"The model could not be loaded.\n\n{message}")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.model_runner.shutdown()
        if self.engine is not None:
            self.engine.close()
            self.engine = None
        event.accept()
