"""Models → Use a model server…: URL, the server's model list, API key, and a connection test.

Every network call runs on the dialog's own worker thread, so the window never waits on a server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from consensus_desktop import server_config
from consensus_desktop.engine.server import ServerBackend, ServerSpec, list_models, privacy_notice
from consensus_desktop.engine.server_http import Endpoint
from consensus_desktop.errors import ServerError, StorageError
from consensus_desktop.gui.dialogs import Failure
from consensus_desktop.gui.signals import on_press
from consensus_desktop.gui.worker import JobRunner


class ServerDialog(QDialog):
    use_server = Signal(object)  # a ServerSpec
    use_local = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Use a model server")
        self.resize(640, 320)
        saved = server_config.load()
        layout = QVBoxLayout(self)
        intro = QLabel(
            "An OpenAI-compatible server (llama-server, vLLM, Ollama, LM Studio) can run a bigger "
            "model for this laptop. While it is in use, every opinion typed here is sent to it."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.url = QLineEdit(saved.url or "http://127.0.0.1:8080/v1")
        self.url.setPlaceholderText("http://HOST:PORT/v1")
        form.addRow("Server &URL:", self.url)
        self.key = QLineEdit(saved.api_key)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("only if the server asks for one")
        form.addRow("API &key:", self.key)
        self.model = QComboBox()
        self.model.setEditable(True)
        if saved.model:
            self.model.addItem(saved.model)
        form.addRow("&Model:", self.model)
        layout.addLayout(form)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for text, slot in (
            ("&List models", self.list_models),
            ("&Test connection", self.test_connection),
            ("Use this &server", self.accept_server),
            ("Use the model on this &laptop", self.accept_local),
        ):
            button = QPushButton(text)
            on_press(button.clicked, slot)
            row.addWidget(button)
            self.buttons[text.replace("&", "")] = button
        layout.addLayout(row)
        self.runner = JobRunner("server-dialog", self)
        self._done: Callable[[Any], None] = lambda _result: None

    def done(self, result: int) -> None:
        self.runner.shutdown()
        super().done(result)

    def spec(self) -> ServerSpec:
        return ServerSpec(
            self.url.text().strip(), self.model.currentText().strip(), self.key.text()
        )

    def _run(
        self, label: str, job: Callable[[ServerSpec], Any], done: Callable[[Any], None]
    ) -> None:
        spec = self.spec()
        self.status.setText(label)
        for b in self.buttons.values():
            b.setEnabled(False)

        def factory(should_stop: Callable[[], bool]) -> Iterator[Any]:
            yield job(spec)

        worker = self.runner.submit(factory, start=False)
        self._done = done
        # Bound slots of this dialog run on the GUI thread; a plain function connected to a
        # worker's signal would run on the worker thread and touch widgets from there.
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        self.runner.start(worker)

    @Slot(object)
    def _on_finished(self, result: Any) -> None:
        self._idle()
        self._done(result)

    @Slot(object)
    def _on_failed(self, failure: Failure) -> None:
        """Said on this dialog's own status line (the dialog stays open and usable)."""
        self._idle()
        self.status.setText(failure.text)

    def _idle(self) -> None:
        for b in self.buttons.values():
            b.setEnabled(True)

    def list_models(self) -> None:
        def job(spec: ServerSpec) -> list[str]:
            endpoint = Endpoint.parse(spec.url, spec.api_key)
            return [str(m["id"]) for m in list_models(endpoint, spec.connect_timeout)]

        def done(ids: list[str]) -> None:
            current = self.model.currentText()
            self.model.clear()
            self.model.addItems(ids)
            self.model.setCurrentText(current if current in ids else (ids[0] if ids else ""))
            self.status.setText(f"The server offers {len(ids)} model(s).")

        self._run("Asking the server for its models…", job, done)

    def test_connection(self) -> None:
        def job(spec: ServerSpec) -> str:
            backend = ServerBackend(spec)
            try:
                seconds = backend.round_trip()
            finally:
                backend.close()
            how = "chat" if backend.chat else "completion"
            return (
                f"Connected: {backend.model_id} ({how} prompts); one short sample took "
                f"{seconds:.1f} s. {privacy_notice(spec.url)}"
            )

        self._run("Testing the connection…", job, self.status.setText)

    def accept_server(self) -> None:
        spec = self.spec()
        try:
            Endpoint.parse(spec.url)
        except ServerError as exc:
            self.status.setText(str(exc))
            return
        if not self._save(server_config.ServerSettings(spec.url, spec.model, True, spec.api_key)):
            return
        self.use_server.emit(spec)
        self.accept()

    def accept_local(self) -> None:
        saved = server_config.load()
        if not self._save(
            server_config.ServerSettings(saved.url, saved.model, False, saved.api_key)
        ):
            return
        self.use_local.emit()
        self.accept()

    def _save(self, settings: server_config.ServerSettings) -> bool:
        try:
            server_config.save(settings)
        except StorageError as exc:  # a read-only or full config folder: said here, dialog open
            self.status.setText(str(exc))
            return False
        return True
