"""Generation: candidates appear as the model finishes them; then agreement predictions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QProgressBar, QWidget

from consensus_desktop.engine.types import Candidate, Progress, Rejected
from consensus_desktop.gui import dialogs
from consensus_desktop.gui.dialogs import Failure
from consensus_desktop.gui.screens.base import Screen
from consensus_desktop.gui.style import body, hint, scale_font
from consensus_desktop.gui.worker import GeneratorWorker
from consensus_desktop.pipeline import RunResult, Stage, run
from consensus_desktop.session.steps import then


class GenerationScreen(Screen):
    title = "Writing candidate statements"
    step = "generation"

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.stage = body("")
        self.layout_.addWidget(self.stage)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.layout_.addWidget(self.bar)
        self.layout_.addWidget(hint("Candidates as they are written:"))
        self.list = QListWidget()
        self.list.setWordWrap(True)
        scale_font(self.list, 1.2)
        self.layout_.addWidget(self.list, 1)
        self.back = self.add_action("Back to opinions", lambda: self.done.emit("opinions"))
        self.cancel_button = self.add_action("Cancel (Esc)", self.cancel)
        self.start_button = self.add_action(
            "Write statements (Ctrl+Enter)", self.start, primary=True
        )
        self.finish_layout()
        self.worker: GeneratorWorker | None = None
        self.last_result: RunResult | None = None

    def enter(self) -> None:
        self.list.clear()
        self.bar.setValue(0)
        self._set_running(False)
        flow = self.ctx.session
        what = "revised statements" if flow.needs_revision() else "candidate statements"
        more = " more" if flow.regenerating else ""
        kept = " The statements already written stay on the list." if flow.regenerating else ""
        self.stage.setText(
            f"The model will write {flow.settings.n_candidates}{more} {what} from the "
            f"{len(flow.opinions())} opinions, then predict how much each participant agrees."
            + kept
        )
        self.ctx.projector.show_progress(
            flow.question["text"], "The program is writing statements from your opinions…"
        )
        if self.ctx.engine.is_ready:
            self.start()
        else:
            self.stage.setText("Waiting for the model to load… it starts as soon as it is ready.")
            self.ctx.engine.ready.connect(self._start_when_ready)

    def _start_when_ready(self) -> None:
        self.ctx.engine.ready.disconnect(self._start_when_ready)
        if self.isVisible():
            self.start()

    def _set_running(self, running: bool) -> None:
        self.cancel_button.setEnabled(running)
        self.start_button.setEnabled(not running)
        self.back.setEnabled(not running)

    def start(self) -> None:
        if self.worker is not None or not self.ctx.engine.is_ready:
            return
        request = self.ctx.session.next_request()
        engine, reward = self.ctx.engine.engine, self.ctx.engine.reward

        def job(should_stop: Callable[[], bool]) -> Iterator[Any]:
            return run(engine, reward, request, should_stop)

        self.list.clear()
        self._set_running(True)
        worker = self.ctx.engine.submit(job, start=False)
        worker.item.connect(self._on_item)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        self.worker = worker
        self.ctx.engine.start(worker)  # only now: not even a job that fails at once goes unheard

    def _on_item(self, item: object) -> None:
        if isinstance(item, Stage):
            label = {
                "fitting": "Preparing the prompt",
                "generating": "Writing statements",
                "predicting": "Predicting each participant's agreement",
                "ranking": "Ranking",
            }.get(item.name, item.name)
            self.stage.setText(f"{label}… {item.detail}".strip())
        elif isinstance(item, Progress):
            self.bar.setValue(int(1000 * item.fraction))
        elif isinstance(item, Candidate):
            self.list.addItem(item.text)
            self.list.scrollToBottom()
        elif isinstance(item, Rejected):
            # off the question is judged per round, after its statements were listed
            for listed in self.list.findItems(item.text, Qt.MatchFlag.MatchExactly):
                self.list.takeItem(self.list.row(listed))

    def _on_finished(self, last: object) -> None:
        self.worker = None
        self._set_running(False)
        if isinstance(last, RunResult):
            self.last_result = last
            self.ctx.session.record_run(last)
            self.done.emit(then(self.step))

    def _on_failed(self, failure: Failure) -> None:
        self.worker = None
        self._set_running(False)
        self.stage.setText("Not finished. Nothing entered was lost; press Ctrl+Enter to try again.")
        dialogs.show_failure(self, failure)

    def _on_cancelled(self) -> None:
        self.worker = None
        self._set_running(False)
        self.stage.setText("Cancelled. Nothing entered was lost. Press Ctrl+Enter to start again.")

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def confirm(self) -> None:
        self.start()

    def leave(self) -> bool:
        self.cancel()
        return True
