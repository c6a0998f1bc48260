"""Trade-offs: from "best for the group on average" to "best for the person least served".

Plain words by default; the expert figures (alpha, W, price of fairness, Schulze, the reward
model's validation) are one click away. Candidates keep their letter (A, B, …) whatever the
slider says. Once the room has rated, only rated statements can be chosen; the others are shown
as predictions only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSlider,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consensus_desktop.gui import dialogs
from consensus_desktop.gui.screens.base import Screen
from consensus_desktop.gui.style import body, hint
from consensus_desktop.gui.widgets.heatmap import Heatmap
from consensus_desktop.gui.widgets.winner_strip import WinnerStrip
from consensus_desktop.session.values import Scores
from consensus_desktop.welfare.function import WelfareFunction
from consensus_desktop.welfare.schulze import SchulzeResult
from consensus_desktop.welfare.tradeoff import TradeOff, alpha_from_t, t_from_alpha

SLIDER_STEPS = 20  # one key press moves one visible tick
MARKS = {"u": 0, "n": SLIDER_STEPS // 2, "r": SLIDER_STEPS}  # alpha 0, 1 (Nash), inf
HEATMAP_COLUMNS = 6
COLUMNS = ["Rank", "Statement", "W", "Average agreement", "Lowest", "Least served", "Wording"]
EXPERT_COLUMNS = {2}


def plain_label(step: int) -> str:
    if step == 0:
        return "Best for the group on average (key U)"
    if step == SLIDER_STEPS:
        return "Best for the person least served (key R)"
    if step == SLIDER_STEPS // 2:
        return "Balanced: the average and the least served count alike (key N)"
    side = "the group on average" if step < SLIDER_STEPS // 2 else "the person least served"
    return f"Leaning towards {side}"


class MarkSlider(QSlider):
    """A slider with visible steps; U, N and R jump to the three marks."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        mark = MARKS.get(event.text().lower())
        if mark is not None:
            self.setValue(mark)
        else:
            super().keyPressEvent(event)


class TradeoffScreen(Screen):
    title = "Which statement serves the group?"
    step = "tradeoffs"

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.trust = hint("")
        self.layout_.addWidget(self.trust)
        row = QHBoxLayout()
        row.addWidget(body("Best for the group\non average (U)"))
        self.slider = MarkSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setSingleStep(1)
        self.slider.setPageStep(SLIDER_STEPS // 4)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setTickInterval(1)
        self.slider.setToolTip("Arrow keys move one step; U, N and R jump to the three marks.")
        self.slider.valueChanged.connect(self._on_alpha)
        row.addWidget(self.slider, 1)
        row.addWidget(body("Best for the person\nleast served (R)"))
        self.layout_.addLayout(row)
        self.alpha_text = body("", 1.2)
        self.layout_.addWidget(self.alpha_text)
        self.strip = WinnerStrip()
        self.layout_.addWidget(self.strip)
        split = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for col in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())
        split.addWidget(self.table)
        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        self.summary = body("")
        ll.addWidget(self.summary)
        self.heatmap = Heatmap()
        ll.addWidget(self.heatmap, 1)
        self.screening = hint("")
        ll.addWidget(self.screening)
        self.rejected_list = QListWidget()
        self.rejected_list.setWordWrap(True)
        self.rejected_list.setVisible(False)
        ll.addWidget(self.rejected_list, 1)
        scroll = QScrollArea()  # the heat map and the notes scroll rather than overlap
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(lower)
        split.addWidget(scroll)
        split.setSizes([240, 300])
        self.layout_.addWidget(split, 1)
        self.expert = QPushButton("Expert figures")
        self.expert.setCheckable(True)
        self.expert.toggled.connect(self._on_alpha)
        self.action_row.insertWidget(0, self.expert)
        self.regenerate_button = self.add_action("Write more statements", self.regenerate)
        self.edit_button = self.add_action("Edit wording…", self.edit_selected)
        self.rejected_button = self.add_action("Rejected samples", self.toggle_rejected)
        self.project = self.add_action("On projector", self.show_on_projector)
        self.main_action = self.add_action("", self.confirm, primary=True)
        self.finish_layout()
        self.scores: Scores | None = None
        self.analysis: TradeOff | None = None
        self.order: list[int] = []
        self.choosable: list[int] = []
        self.schulze: SchulzeResult | None = None
        self.kept_note = ""  # how an earlier round's choice in the table is marked

    # -- state --------------------------------------------------------------------------------
    @property
    def alpha(self) -> float:
        return alpha_from_t(self.slider.value() / SLIDER_STEPS)

    def enter(self) -> None:
        flow = self.ctx.session
        self.scores = s = flow.scores()
        rated = s.has_ratings
        self.choosable = [i for i in range(len(s.candidates)) if not rated or s.is_rated(i)]
        self.analysis = flow.tradeoff(s, self.choosable)
        self.schulze = flow.schulze()  # from the room's rankings; fixed while the slider moves
        self._show_screening()
        absent = flow.absent_names()
        present = (
            f" Scored for the {len(s.names)} present; absent: {', '.join(absent)}."
            if absent
            else ""
        )
        earlier = flow.previous_choice()
        self.kept_note = ""
        if s.carried is not None and earlier is not None:
            self.kept_note = f"round {earlier[0] + 1}'s choice, with the room's ratings from then"
            present += f" {earlier[1].label}, {self.kept_note}, stays in the running."
        if rated:
            self.trust.setText(
                "The room has rated the shortlist: only rated statements can be chosen (cells "
                "marked * are real ratings; the rest are the model's guesses)." + present
            )
            self.main_action.setText("Choose selected (Ctrl+Enter)")
        else:
            self.trust.setText(
                "These are the model's guesses at how much each person agrees, not the room's "
                "view: let the room rate a shortlist before choosing." + present
            )
            self.main_action.setText("Room rates the shortlist (Ctrl+Enter)")
        self.regenerate_button.setEnabled(flow.can_regenerate())
        self.edit_button.setEnabled(not rated)
        self.slider.blockSignals(True)
        self.slider.setValue(round(t_from_alpha(flow.settings.alpha) * SLIDER_STEPS))
        self.slider.blockSignals(False)
        self._on_alpha()
        self.slider.setFocus()

    def _on_alpha(self) -> None:
        s, a = self.scores, self.analysis
        if s is None or a is None:
            return
        flow = self.ctx.session
        alpha = self.alpha
        expert = self.expert.isChecked()
        plain = plain_label(self.slider.value())
        self.alpha_text.setText(f"{plain} · {WelfareFunction(alpha).label}" if expert else plain)
        for col in EXPERT_COLUMNS:
            self.table.setColumnHidden(col, not expert)
        ok = set(self.choosable)
        ranked = flow.order_at(alpha, s)
        self.order = [c for c in ranked if c in ok] + [c for c in ranked if c not in ok]
        w = flow.welfare_at(alpha, s)
        combined = s.combined
        self.table.setRowCount(len(self.order))
        for r, c in enumerate(self.order):
            row = combined[c]
            usable = c in ok
            cells = [
                f"{r + 1}" if usable else "–",
                s.label(c),
                f"{w[c]:.2f}",
                f"{np.mean(row):.1f} of 7",
                f"{np.min(row):.1f}",
                s.names[int(np.argmin(row))],
                s.candidates[c].text
                + ("" if usable else "  (prediction only: not rated)")
                + (f"  ({self.kept_note})" if c == s.carried else ""),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col < len(COLUMNS) - 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if not usable:
                    item.setFlags(Qt.ItemFlag.NoItemFlags)
                    font = QFont()  # only italic: the size stays the table's, at any zoom
                    font.setItalic(True)
                    item.setFont(font)
                self.table.setItem(r, col, item)
        self.table.resizeRowsToContents()
        self.table.selectRow(0)
        top = self.order[:HEATMAP_COLUMNS]
        self.heatmap.set_data(
            combined[top].T, s.names, [s.label(c) for c in top], np.isfinite(s.rated[top]).T
        )
        labels = {i: s.label(c) for i, c in enumerate(self.choosable)}
        self.strip.set_data(a.stretches, labels, alpha)
        best_avg = s.label(self.choosable[a.utilitarian_winner])
        best_least = s.label(self.choosable[a.rawlsian_winner])
        text = (
            f"Best for the group on average: {best_avg}. "
            f"Best for the person least served: {best_least}."
        )
        if expert:
            text += f" Price of fairness: {a.price_of_fairness:.2f} points of mean agreement."
            if self.schulze is not None:
                text += (
                    f" Schulze winner from the room's rankings: {s.label(self.schulze.untied[0])}."
                )
            reward = self.ctx.engine.reward
            if reward is not None:
                text += f" Predictions: {reward.version.label}: {reward.version.validation}."
        self.summary.setText(text)

    def _show_screening(self) -> None:
        """What the room will rate and why, and what was dropped before ranking."""
        flow = self.ctx.session
        rule, folded, rejected = flow.run_screening()
        shortlist = flow.shortlist()
        named = ", ".join(c.label for c in shortlist if c.label)
        parts = [f"The room rates {len(shortlist)} statements" + (f": {named}" if named else "")]
        if rule:
            parts[0] += f" ({rule})"
        parts.append(f"{folded} near-duplicate statement(s) folded into a better one")
        parts.append(f"{len(rejected)} sample(s) rejected before ranking")
        self.screening.setText(" · ".join(parts) + ".")
        self.rejected_list.clear()
        for r in rejected:
            self.rejected_list.addItem(f"{r['reason']}: {r['text']}")
        self.rejected_button.setText(f"Rejected samples ({len(rejected)})")
        self.rejected_button.setEnabled(bool(rejected))
        self.rejected_list.setVisible(False)

    def toggle_rejected(self) -> None:
        self.rejected_list.setVisible(not self.rejected_list.isVisible())

    def selected(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.scores is None:
            return None
        index = self.order[rows[0].row()]
        return self.scores.candidates[index].id if index in self.choosable else None

    def select_candidate(self, cid: int) -> None:
        assert self.scores is not None
        index = next(i for i, c in enumerate(self.scores.candidates) if c.id == cid)
        self.table.selectRow(self.order.index(index))

    def _text(self, cid: int) -> str:
        assert self.scores is not None
        return next(c.text for c in self.scores.candidates if c.id == cid)

    # -- actions ------------------------------------------------------------------------------
    def show_on_projector(self) -> None:
        cid = self.selected()
        if cid is not None:
            self.ctx.projector.show_statement(self.ctx.session.question["text"], self._text(cid))

    def regenerate(self) -> None:
        """New statements for this round; the ones already written stay on the list."""
        try:
            self.ctx.session.request_regeneration()
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.done.emit("generation")

    def edit_selected(self) -> None:
        cid = self.selected()
        if cid is None:
            self.show_error("Select a statement to edit first.")
            return
        text = dialogs.ask_text(
            self,
            "Edit the wording",
            "New wording (the original is kept; predictions stay those of the original):",
            self._text(cid),
            multiline=True,
        )
        if text is None:
            return
        try:
            new_id = self.ctx.session.edit_candidate(cid, text)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        step = self.slider.value()  # the facilitator's place on the slider stays
        self.enter()
        self.slider.setValue(step)
        self.select_candidate(new_id)

    def choose(self) -> None:
        cid = self.selected()
        if cid is None or self.scores is None:
            self.show_error("Select a statement the room has rated.")
            return
        flow = self.ctx.session
        top = self.scores.candidates[self.order[0]].id
        by = "welfare" if cid == top else "facilitator override"
        basis = "ratings+predictions" if self.scores.has_ratings else "predictions"
        try:
            flow.select(cid, WelfareFunction(self.alpha).method(basis), self.alpha, by)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.show_on_projector()
        if flow.settings.critique_round and flow.rounds_done() == 1:
            self.done.emit("critique")
        else:
            self.done.emit("results")

    def confirm(self) -> None:
        if self.scores is not None and self.scores.has_ratings:
            self.choose()
        else:
            flow = self.ctx.session
            s = flow.settings
            s.alpha = self.alpha
            flow.update_settings(s)
            self.done.emit("rating")
