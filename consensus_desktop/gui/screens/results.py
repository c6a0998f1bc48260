"""Results: the final statement, how the room rated it, agreement before and after, exports."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog, QLabel, QMenu, QTabWidget, QVBoxLayout, QWidget

from consensus_desktop.errors import ConsensusError
from consensus_desktop.gui import dialogs
from consensus_desktop.gui.report_pdf import write_pdf
from consensus_desktop.gui.screens.base import Screen
from consensus_desktop.gui.signals import menu_entry
from consensus_desktop.gui.style import body, heading, hint
from consensus_desktop.gui.widgets.rating_bars import RatingBars
from consensus_desktop.gui.widgets.results_table import ResultsTable
from consensus_desktop.report import ReportOptions, gather, save_html
from consensus_desktop.safe_files import check_destination
from consensus_desktop.store.exports import (
    CSV_FILES,
    anonymise_session,
    check_csv_destinations,
    polis_csv,
    ratings_csv,
)
from consensus_desktop.store.transfer import export_session, timestamped_name


def _fmt(x: float) -> str:
    return "–" if math.isnan(x) else f"{x:.2f}"


class ResultsScreen(Screen):
    title = "Result"
    step = "results"

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.question = body("", 1.2)
        self.layout_.addWidget(self.question)
        self.tabs = QTabWidget()
        self.layout_.addWidget(self.tabs, 1)
        chosen = QWidget()
        cl = QVBoxLayout(chosen)
        self.statement = heading("", 1.8)
        cl.addWidget(self.statement)
        self.original = hint("")  # the model's wording when the facilitator reworded the choice
        cl.addWidget(self.original)
        cl.addWidget(
            hint("How the room rated the final statement (1 strongly disagree … 7 strongly agree):")
        )
        self.bars = RatingBars()
        cl.addWidget(self.bars)
        self.metrics = body("", 1.25)
        cl.addWidget(self.metrics)
        self.warnings = QLabel("")
        self.warnings.setObjectName("warning")
        self.warnings.setWordWrap(True)
        cl.addWidget(self.warnings)
        cl.addStretch(1)
        self.tabs.addTab(chosen, "Chosen statement")
        self.every = ResultsTable()
        self.tabs.addTab(self.every, "Every statement (Ctrl+L)")
        QShortcut(QKeySequence("Ctrl+L"), self, self.toggle_list)
        self.keep_button = self.add_action("Keep the earlier choice", self.keep_previous)
        self.add_action("Critique round…", self.critique_round)
        exports = QMenu(self)
        menu_entry(exports, "Session file… (Ctrl+E)", self.export_file_and_say)
        menu_entry(exports, "Anonymised session file…", self.export_anonymised)
        menu_entry(exports, "CSV files…", self.export_csv)
        self.export_button = self.add_action("Export", lambda: None)
        self.export_button.setMenu(exports)
        QShortcut(QKeySequence("Ctrl+E"), self, self.export_file_and_say)
        self.add_action("Save report…", self.save_report)
        self.add_action("Back to trade-offs", lambda: self.done.emit("tradeoffs"))
        self.finish_button = self.add_action("Finish (Ctrl+Enter)", self.confirm, primary=True)
        self.finish_layout()

    def enter(self) -> None:
        flow = self.ctx.session
        sel = flow.selection()
        self.question.setText(flow.question["text"])
        self.statement.setText(f"“{sel['text']}”" if sel else "No statement chosen yet.")
        original = flow.model_original(sel["candidate_id"]) if sel else None
        self.original.setText(f"Reworded by the facilitator. The model wrote: “{original}”")
        self.original.setVisible(original is not None)
        ratings = flow.final_ratings()
        self.bars.set_counts([sum(1 for r in ratings.values() if r == k) for k in range(1, 8)])
        before, after = flow.agreement_before_after()
        self.metrics.setText(
            f"Agreement within the group (1 = all on one side, 0 = evenly split): position statement "
            f"{_fmt(before.gia)} ({before.n_agree} agree, {before.n_disagree} disagree) → final "
            f"statement {_fmt(after.gia)} ({after.n_agree} agree, {after.n_disagree} disagree). "
            f"{len(ratings)} of {len(flow.present)} present rated the final statement."
        )
        self.every.set_rows(flow.results_list())
        self.tabs.setCurrentIndex(0)
        warnings = flow.result_warnings()
        self.warnings.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warnings.setVisible(bool(warnings))
        lower = flow.rated_lower_than_before()
        self.keep_button.setVisible(lower is not None)
        if lower is not None:
            self.keep_button.setText(f"Keep round {lower[0] + 1}'s choice ({lower[1].label})")
        if sel:
            counts = [sum(1 for r in ratings.values() if r == k) for k in range(1, 8)]
            self.ctx.projector.show_statement(flow.question["text"], sel["text"], counts)
        n, total = flow.settings.question_index + 1, len(flow.questions)
        self.title_label.setText(f"Result — question {n} of {total}" if total > 1 else "Result")
        self.finish_button.setText(
            "Next question (Ctrl+Enter)" if flow.has_next_question() else "Finish (Ctrl+Enter)"
        )

    def confirm(self) -> None:
        flow = self.ctx.session
        if flow.has_next_question():
            flow.next_question()
            self.done.emit("baseline")
        else:
            self.done.emit("start")

    def toggle_list(self) -> None:
        self.tabs.setCurrentIndex(1 - self.tabs.currentIndex())

    def keep_previous(self) -> None:
        """The new choice is rated lower than an earlier round's: choose that one again."""
        try:
            self.ctx.session.keep_previous_choice()
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.enter()

    def critique_round(self) -> None:
        """The room critiques the chosen statement and the model revises it."""
        flow = self.ctx.session
        if flow.selection() is None:
            return
        if dialogs.confirm(
            self,
            "Critique round",
            "Start a critique round? Each participant says privately what they would change in "
            "the chosen statement; the model then writes revised statements for the room to rate.",
        ):
            flow.start_critique_round()
            self.done.emit("critique")

    def export_file_and_say(self) -> None:
        """Ctrl+E: export the session file and say in a dialog where it went."""
        out = self.export_file()
        if out is not None:
            dialogs.inform(self, "Session exported", f"The session file was saved to:\n{out}")

    def _ask_save(self, title: str, suggested: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self, title, suggested, "SQLite (*.sqlite)")
        return Path(path) if path else None

    def _write(self, write: Callable[[], Path]) -> Path | None:
        try:
            return write()
        except ConsensusError as exc:  # a dialog with the sentence; the page stays as it was
            dialogs.show_error(self, exc)
            return None

    def export_file(self, path: Path | None = None) -> Path | None:
        flow = self.ctx.session
        asked = path is None  # the save dialog asked before replacing a file
        path = path or self._ask_save("Export session file", timestamped_name(flow.name))
        if path is None:
            return None
        db, sid = self.ctx.store.db, flow.session_id
        out = self._write(lambda: export_session(db, sid, path, force=asked))
        if out is not None:
            self.message.emit(f"Session saved to {out}")
        return out

    def export_anonymised(self, path: Path | None = None) -> Path | None:
        flow = self.ctx.session
        asked = path is None
        path = path or self._ask_save(
            "Export anonymised", "anonymised-" + timestamped_name(flow.name)
        )
        if path is None:
            return None
        db, sid = self.ctx.store.db, flow.session_id
        out = self._write(lambda: anonymise_session(db, sid, path, force=asked))
        if out is not None:
            self.message.emit(f"Anonymised session saved to {out}")
        return out

    def export_csv(self, folder: Path | None = None) -> Path | None:
        flow = self.ctx.session
        if folder is None:
            chosen = QFileDialog.getExistingDirectory(self, "Folder for the CSV files")
            folder = Path(chosen) if chosen else None
        if folder is None:
            return None
        there = [n for n in CSV_FILES if (folder / n).exists()]
        force = bool(there) and dialogs.confirm(
            self, "Replace files?", f"Replace {', '.join(there)} in {folder}?"
        )
        db, sid = self.ctx.store.db, flow.session_id

        def write() -> Path:
            check_csv_destinations(folder, force)
            polis_csv(db, sid, folder, force)
            return ratings_csv(db, sid, folder, force)

        if self._write(write) is None:
            return None
        self.message.emit(f"comments.csv, votes.csv and ratings.csv written to {folder}")
        return folder

    def save_report(self, path: Path | None = None) -> Path | None:
        """The printable report (no names, no opinions): HTML, or PDF if the name ends in .pdf."""
        flow = self.ctx.session
        asked = path is None  # the save dialog asked before replacing a file
        if path is None:
            suggested = timestamped_name(flow.name).replace(".sqlite", "-report.html")
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Save report", suggested, "HTML report (*.html);;PDF report (*.pdf)"
            )
            path = Path(chosen) if chosen else None
        if path is None:
            return None
        store, sid, target = self.ctx.store, flow.session_id, path

        def write() -> Path:
            if target.suffix.lower() != ".pdf":
                save_html(store, sid, target, ReportOptions(), force=asked)
                return target
            check_destination(target, asked)
            return write_pdf(gather(store, sid, ReportOptions()), target)

        out = self._write(write)
        if out is not None:
            self.message.emit(f"Report saved to {out}")
        return out
