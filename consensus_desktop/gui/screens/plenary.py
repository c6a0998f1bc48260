"""The plenary of an assembly (facilitator only): tables' statements, plenary candidates with each
table's min and mean and each person's predicted agreement, ballots out and back in, results.

*Session → New plenary from table files…* reads the tables' session files, writes the plenary
candidates on the model's thread, records the plenary (all or nothing) and opens it here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPlainTextEdit, QSplitter, QWidget

from consensus_desktop.assembly.ballots import Plenary, export_ballots, import_ballots, results
from consensus_desktop.assembly.plenary import plenary_request, table_view
from consensus_desktop.assembly.record import record_plenary, refuse_taken_name
from consensus_desktop.assembly.tables import Table, read_tables
from consensus_desktop.errors import ConsensusError
from consensus_desktop.gui import dialogs
from consensus_desktop.gui.dialogs import Failure
from consensus_desktop.gui.screens.base import Screen
from consensus_desktop.gui.style import body, hint
from consensus_desktop.gui.widgets.table_heatmap import TableHeatmap
from consensus_desktop.pipeline import RunResult, Stage, run
from consensus_desktop.session.facilitation import Facilitation

BALLOT_K = 4


def pick_files(parent: QWidget, title: str) -> list[str]:
    files, _ = QFileDialog.getOpenFileNames(
        parent, title, "", "Session files (*.sqlite *.db);;All files (*)"
    )
    return list(files)


def pick_folder(parent: QWidget, title: str) -> str:
    return QFileDialog.getExistingDirectory(parent, title)


class PlenaryScreen(Screen):
    title = "Plenary"
    step = "plenary"

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.summary = body("")
        self.summary.setWordWrap(True)
        self.layout_.addWidget(self.summary)
        split = QSplitter(Qt.Orientation.Vertical)
        self.tables_label = QPlainTextEdit()
        self.tables_label.setReadOnly(True)
        split.addWidget(self.tables_label)
        self.candidates_label = QPlainTextEdit()
        self.candidates_label.setReadOnly(True)
        split.addWidget(self.candidates_label)
        self.heatmap = TableHeatmap()
        split.addWidget(self.heatmap)
        self.results_label = QPlainTextEdit()
        self.results_label.setReadOnly(True)
        split.addWidget(self.results_label)
        for i, stretch in enumerate((1, 2, 4, 1)):  # the heatmap gets most of the height
            split.setStretchFactor(i, stretch)
        self.layout_.addWidget(split, 1)
        self.layout_.addWidget(
            hint("Each table is one row (its lowest and mean predicted agreement; → opens it).")
        )
        self.add_action("Export ballots…", self.export_ballots)
        self.add_action("Import rated ballots…", self.import_ballots, primary=True)
        self.finish_layout()
        self.worker: Any = None
        self.pending: tuple[list[Table], str, Callable[[int], None]] | None = None

    # -- a new plenary ------------------------------------------------------------------------
    def new_plenary(self, on_ready: Callable[[int], None]) -> None:
        """Ask for the tables' files and a name, write the candidates, record, then ``on_ready``."""
        files = pick_files(self, "The tables' session files")
        if not files:
            return
        try:
            tables = read_tables([Path(f) for f in files])
        except ConsensusError as exc:
            dialogs.show_error(self, exc, "Cannot start the plenary")
            return
        assembly = next((t.assembly for t in tables if t.assembly), "")
        name = dialogs.ask_text(
            self, "New plenary", "Name of the plenary:", f"{assembly} plenary".strip()
        )
        if not name:
            return
        try:
            refuse_taken_name(self.ctx.store, name)
        except ConsensusError as exc:
            dialogs.show_error(self, exc, "Cannot start the plenary")
            return
        if not self.ctx.engine.is_ready:
            dialogs.inform(
                self, "Model not ready", "The model is still loading; try again shortly."
            )
            return
        self.start(tables, name, on_ready)

    def start(self, tables: list[Table], name: str, on_ready: Callable[[int], None]) -> None:
        request = plenary_request(tables, n=8)
        engine, reward = self.ctx.engine.engine, self.ctx.engine.reward

        def job(should_stop: Callable[[], bool]) -> Iterator[Any]:
            return run(engine, reward, request, should_stop)

        people = sum(t.size for t in tables)
        self.message.emit(
            f"Writing plenary statements from {len(tables)} tables ({people} people)…"
        )
        self.pending = (tables, name, on_ready)
        worker = self.ctx.engine.submit(job, start=False)
        # bound methods of this widget: Qt delivers them on the GUI thread
        worker.item.connect(self._on_item)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        self.worker = worker
        self.ctx.engine.start(worker)  # after connecting: a job that fails at once is heard

    def _on_finished(self, last: object) -> None:
        self.worker = None
        if not isinstance(last, RunResult) or self.pending is None:
            return
        tables, name, on_ready = self.pending
        self.pending = None
        try:
            sid = record_plenary(self.ctx.store, name, tables, last)
        except ConsensusError as exc:
            dialogs.show_error(self, exc, "The plenary was not saved")
            return
        self.message.emit(f"Plenary {name!r} is ready.")
        on_ready(sid)

    def _on_failed(self, failure: Failure) -> None:
        self.worker = None
        self.pending = None
        dialogs.show_failure(self, failure)

    def _on_item(self, item: object) -> None:
        if isinstance(item, Stage):
            self.message.emit(f"Plenary: {item.name}… {item.detail}".strip())

    # -- the plenary itself -------------------------------------------------------------------
    @property
    def plenary(self) -> Plenary:
        flow: Facilitation = self.ctx.session
        return Plenary(self.ctx.store, flow.session_id)

    def enter(self) -> None:
        self.show_error("")
        plenary = self.plenary
        flow = plenary.flow
        tables = plenary.tables
        scores = flow.scores()
        people = len(scores.names)
        self.title_label.setText(f"Plenary: {plenary.name}")
        self.summary.setText(
            f"{flow.question['text']}\n{len(tables)} tables, {people} people. Predicted agreement "
            "comes from each person's own opinion, shifted by how they rated at their table; "
            "ratings from the ballots replace it."
        )
        self.tables_label.setPlainText(
            "\n".join(f"Table {t['label']} ({t['size']}): {t['statement']}" for t in tables)
        )
        labels = [t["label"] for t in tables]
        sizes = [t["size"] for t in tables]
        view = table_view(scores.combined, labels, sizes)
        lines = []
        for j, c in enumerate(scores.candidates):
            k, i = int(view.worst_table[j]), int(view.worst_person[j])
            lines.append(
                f"{scores.label(j)}  mean {scores.combined[j].mean():.1f} · worst-off table "
                f"{labels[k]} {view.mean[j, k]:.1f} · worst-off person {scores.names[i]} "
                f"{scores.combined[j, i]:.1f}\n    {c.text}"
            )
        self.candidates_label.setPlainText("\n".join(lines))
        columns = [scores.label(j) for j in range(len(scores.candidates))]
        self.heatmap.set_data(scores.combined, columns, labels, sizes, scores.names)
        self._show_results()

    def _show_results(self) -> None:
        if not self.plenary.flow.scores().has_ratings:
            self.results_label.setPlainText(
                "No ballots yet: export them, rate them at the tables, import them back."
            )
            return
        res = results(self.ctx.store, self.plenary.session_id)

        def gia(x: float) -> str:
            return "–" if math.isnan(x) else f"{x:.2f}"

        rows = [
            f"{t.label}: mean {t.mean:.1f} from {sum(t.ratings.values())} ratings of it "
            f"({' '.join(f'{k}:{v}' for k, v in t.ratings.items() if v)}), group agreement "
            f"{gia(t.before.gia)} → {gia(t.after.gia)}"
            for t in [*res.tables, res.overall]
        ]
        self.results_label.setPlainText(
            f"Schulze winner over all ballots: {res.winner}\n" + "\n".join(rows)
        )

    def export_ballots(self) -> None:
        folder = pick_folder(self, "Folder for the ballot files")
        if not folder:
            return
        store, sid = self.ctx.store, self.plenary.session_id
        try:
            try:
                files = export_ballots(store, sid, Path(folder), BALLOT_K)
            except ConsensusError as exc:
                if "exists" not in str(exc) or not dialogs.confirm(
                    self, "Replace the ballot files?", f"{exc}\nReplace the existing ballot files?"
                ):
                    raise
                files = export_ballots(store, sid, Path(folder), BALLOT_K, force=True)
        except ConsensusError as exc:
            dialogs.show_error(self, exc)
            return
        self.message.emit(f"{len(files)} ballot files written to {folder}.")

    def import_ballots(self) -> None:
        files = pick_files(self, "Rated ballot files")
        if not files:
            return
        try:
            done = import_ballots(self.ctx.store, self.plenary.session_id, [Path(f) for f in files])
        except ConsensusError as exc:
            dialogs.show_error(self, exc, "Nothing was imported")
            return
        self.message.emit(
            "; ".join(f"table {r.table}: {r.ratings_added} new ratings" for r in done)
        )
        self.enter()

    def confirm(self) -> None:
        self.import_ballots()
