"""Models → Adapters…: LoRA adapters for the model in use, and "Learn from past sessions…".

Each adapter in the adapters folder is checked against the model in use before anything loads
(``check_adapter``: the base model's sha256, architecture and shapes); one made for another
model is listed with the reason and cannot be chosen. Training runs on this dialog's own thread
with progress and cancel; closing the dialog cancels it (its finished steps are kept in a
checkpoint beside the adapter's name).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from consensus_desktop.engine.adapter_file import check_adapter
from consensus_desktop.errors import ConsensusError, describe_os_error
from consensus_desktop.gui.dialogs import Failure
from consensus_desktop.gui.signals import on_press
from consensus_desktop.gui.widgets.flow_row import FlowRow
from consensus_desktop.gui.worker import DialogJob, JobFactory
from consensus_desktop.safe_files import atomic_path, check_destination
from consensus_desktop.sft.card import card_path
from consensus_desktop.sft.learn import adapters_folder, learn_from_sessions
from consensus_desktop.sft.train_run import TrainOutcome, describe_progress, missing_packages
from consensus_desktop.sft.trainer import TrainProgress


def card_line(adapter: Path) -> str:
    """What the adapter's card says, in a few words."""
    try:
        card = json.loads(card_path(adapter).read_text(encoding="utf-8"))
        data = card["data"]["summary"].split(" (")[0]
        line = f"{card['steps']} steps on {data}"
        v = card.get("validation") or {}
        if "base" in v and "adapter" in v:
            gain = (
                v["adapter"]["mean_log_likelihood_per_token"]
                - v["base"]["mean_log_likelihood_per_token"]
            )
            line += f"; held-out likelihood {gain:+.3f} per token"
        return line
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return "no card"


class AdapterDialog(QDialog):
    use_adapter = Signal(object)  # Path of the adapter, or None: the model alone

    def __init__(
        self, base: Path | None, in_use: str, parent: Any = None, learn: JobFactory | None = None
    ) -> None:
        """``base``: the local model in use (None: a server, or none loaded). ``learn``: the
        training job for the chosen sessions (the real one unless a test gives another)."""
        super().__init__(parent)
        self.base = base
        self.learn_job = learn
        self.setWindowTitle("Adapters")
        self.resize(760, 460)
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"In use: {in_use}. An adapter is a small file that tunes the model in use to "
            "statements people endorsed; it never changes the model file."
            if base is not None
            else "Adapters are for a model on this laptop; the app is using a model server."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        self.list.setWordWrap(True)  # a refusal's reason is a whole sentence
        # Enter or a double click on an adapter uses it
        self.list.itemActivated.connect(lambda _item: self.use_selected())
        layout.addWidget(self.list, 1)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.bar = QProgressBar()
        self.bar.setVisible(False)
        layout.addWidget(self.bar)
        row = FlowRow()  # wraps at a large zoom instead of widening the dialog
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (
            ("learn", "&Learn from past sessions…", self.learn),
            ("cancel", "&Cancel training", self.cancel),
            ("add", "&Add adapter file…", self.add_file),
            ("none", "Use the &model alone", self.use_none),
            ("use", "&Use selected", self.use_selected),
        ):
            button = QPushButton(text)
            button.setAutoDefault(False)  # Enter never starts training by surprise
            on_press(button.clicked, slot)
            row.addWidget(button)
            self.buttons[key] = button
        layout.addLayout(row)
        for key in ("learn", "add", "none", "use"):
            self.buttons[key].setEnabled(base is not None)
        self.buttons["cancel"].setEnabled(False)
        self.job = DialogJob("training", self)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        for path in sorted(adapters_folder().glob("*.gguf")):
            if self.base is None:
                fits, why = False, "for a model on this laptop"
            else:
                try:
                    check_adapter(path, self.base)
                    fits, why = True, card_line(path)
                except ConsensusError as exc:
                    fits, why = False, str(exc)
            item = QListWidgetItem(f"{path.name} — {why}")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(why)
            if not fits:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                item.setForeground(Qt.GlobalColor.gray)
            self.list.addItem(item)
        if self.list.count() == 0:
            empty = QListWidgetItem(
                "No adapters yet: learn one from past sessions, or add an adapter file."
            )
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(empty)

    def use_selected(self) -> None:
        item = self.list.currentItem()
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsSelectable:
            self.status.setText("Choose an adapter made for the model in use.")
            return
        self.use_adapter.emit(Path(item.data(Qt.ItemDataRole.UserRole)))
        self.accept()

    def use_none(self) -> None:
        self.use_adapter.emit(None)
        self.accept()

    def add_file(self, path: str | None = None) -> None:
        """Copy an adapter into the adapters folder, once it is known to fit the model in use."""
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Add an adapter", "", "GGUF (*.gguf)")
        if not path or self.base is None:
            return
        source = Path(path)
        try:
            check_adapter(source, self.base)
            target = check_destination(adapters_folder() / source.name)
            with atomic_path(target) as tmp:
                shutil.copyfile(source, tmp)
        except ConsensusError as exc:
            self.status.setText(str(exc))
            return
        except OSError as exc:  # e.g. the adapters folder could not be made
            text = describe_os_error(exc, "use")
            self.status.setText(text[:1].upper() + text[1:])
            return
        self.refresh()
        self.status.setText(f"Added {source.name}.")

    def learn(self, sessions: list[str] | None = None) -> None:
        if self.job.worker is not None or self.base is None:
            return
        missing = missing_packages()
        if missing and self.learn_job is None:
            self.status.setText(
                f"Learning needs {', '.join(missing)}, which this installation does not have: "
                "pip install 'consensus_desktop[train]' (not part of the packaged app)."
            )
            return
        if not sessions:
            sessions, _ = QFileDialog.getOpenFileNames(
                self, "Sessions to learn from", "", "Session files (*.sqlite)"
            )
        if not sessions:
            return
        base, chosen = self.base, [Path(s) for s in sessions]
        job = self.learn_job or (lambda stop: learn_from_sessions(chosen, base, stop))
        self.job.start(job, self._on_item, self._on_done, self._on_cancelled, self._on_failed)
        self.buttons["cancel"].setEnabled(True)
        self.buttons["learn"].setEnabled(False)

    def _on_item(self, item: object) -> None:
        if isinstance(item, TrainProgress):
            self.bar.setVisible(True)
            self.bar.setRange(0, item.total)
            self.bar.setValue(item.step)
            self.status.setText(describe_progress(item))
        elif isinstance(item, str):
            self.status.setText(item)

    def _on_done(self, last: object) -> None:
        text = str(last) if isinstance(last, TrainOutcome) else "Training ended."
        self._finished(text)

    def _on_cancelled(self) -> None:
        self._finished(
            "Training cancelled; the finished steps are kept, and no adapter was written."
        )

    def _on_failed(self, failure: Failure) -> None:
        self._finished(failure.text)

    def _finished(self, message: str) -> None:
        self.bar.setVisible(False)
        self.job.worker = None
        self.buttons["cancel"].setEnabled(False)
        self.buttons["learn"].setEnabled(self.base is not None)
        self.refresh()
        self.status.setText(message)

    def cancel(self) -> None:
        self.job.cancel()

    def done(self, result: int) -> None:
        """Every way the dialog closes stops the training first (its thread goes with it)."""
        self.job.stop()
        super().done(result)
