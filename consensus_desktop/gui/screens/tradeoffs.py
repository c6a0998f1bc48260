"""Trade-offs: re-rank live from utilitarian to Rawlsian, see who is served, pick a statement."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QSlider,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consensus_desktop.facilitation import Scores
from consensus_desktop.gui.screens.base import Screen
from consensus_desktop.gui.style import body, hint
from consensus_desktop.gui.widgets.heatmap import Heatmap
from consensus_desktop.gui.widgets.winner_strip import WinnerStrip
from consensus_desktop.welfare.schulze import SchulzeResult
from consensus_desktop.welfare.tradeoff import TradeOff, alpha_from_t, t_from_alpha

SLIDER_STEPS = 1000
HEATMAP_COLUMNS = 6


def alpha_label(alpha: float) -> str:
    if alpha == 0:
        return "α = 0 · utilitarian (mean agreement)"
    if math.isinf(alpha):
        return "α = ∞ · Rawlsian (the worst-off participant)"
    if abs(alpha - 1) < 0.02:
        return "α = 1 · Nash (geometric mean)"
    return f"α = {alpha:.2f}"


class TradeoffScreen(Screen):
    title = "Trade-offs: which statement serves the group?"

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.trust = hint("")
        self.layout_.addWidget(self.trust)
        row = QHBoxLayout()
        row.addWidget(body("Utilitarian"))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setPageStep(SLIDER_STEPS // 10)
        self.slider.valueChanged.connect(self._on_alpha)
        row.addWidget(self.slider, 1)
        row.addWidget(body("Rawlsian"))
        self.layout_.addLayout(row)
        self.alpha_text = body("")
        self.layout_.addWidget(self.alpha_text)
        self.strip = WinnerStrip()
        self.layout_.addWidget(self.strip)
        split = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(["#", "W", "Mean", "Min", "Worst off", "Statement"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for col in range(5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        split.addWidget(self.table)
        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        self.summary = hint("")
        ll.addWidget(self.summary)
        self.heatmap = Heatmap()
        ll.addWidget(self.heatmap, 1)
        split.addWidget(lower)
        split.setSizes([300, 220])
        self.layout_.addWidget(split, 1)
        self.project = self.add_action("Show on projector", self.show_on_projector)
        self.choose_now = self.add_action("Choose selected", self.choose)
        self.main_action = self.add_action("", self.confirm, primary=True)
        self.finish_layout()
        self.scores: Scores | None = None
        self.analysis: TradeOff | None = None
        self.order: list[int] = []
        self.schulze: SchulzeResult | None = None

    # -- state --------------------------------------------------------------------------------
    @property
    def alpha(self) -> float:
        return alpha_from_t(self.slider.value() / SLIDER_STEPS)

    def enter(self) -> None:
        flow = self.ctx.session
        self.scores = flow.scores()
        self.analysis = flow.tradeoff(self.scores)
        self.schulze = flow.schulze()  # from the room's rankings; fixed while the slider moves
        reward = self.ctx.engine.reward
        trust = f"{reward.version.label}: {reward.version.validation}" if reward is not None else ""
        if self.scores.has_ratings:
            self.trust.setText(
                "The room has rated the shortlist: real ratings (marked *) replace predictions. "
                f"Other cells are the model's guesses ({trust})."
            )
            self.main_action.setText("Choose the selected statement (Ctrl+Enter)")
        else:
            self.trust.setText(
                f"These are the model's predictions, not the room's view: {trust}. "
                "Let the room rate a shortlist before choosing."
            )
            self.main_action.setText("Room rates the shortlist (Ctrl+Enter)")
        self.slider.blockSignals(True)
        self.slider.setValue(round(t_from_alpha(flow.settings.alpha) * SLIDER_STEPS))
        self.slider.blockSignals(False)
        self._on_alpha()
        self.slider.setFocus()

    def _on_alpha(self) -> None:
        if self.scores is None or self.analysis is None:
            return
        flow = self.ctx.session
        alpha = self.alpha
        self.alpha_text.setText(alpha_label(alpha))
        self.order = flow.order_at(alpha, self.scores)
        w = flow.welfare_at(alpha, self.scores)
        names = [p["pseudonym"] for p in flow.participants]
        combined = self.scores.combined
        rank_of = {c: r for r, c in enumerate(self.order)}
        self.table.setRowCount(len(self.order))
        for r, c in enumerate(self.order):
            row = combined[c]
            cells = [
                f"{r + 1}",
                f"{w[c]:.2f}",
                f"{np.mean(row):.2f}",
                f"{np.min(row):.2f}",
                names[int(np.argmin(row))],
                self.scores.candidates[c].text,
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col < 5:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(r, col, item)
        self.table.resizeRowsToContents()
        self.table.selectRow(0)
        top = self.order[:HEATMAP_COLUMNS]
        self.heatmap.set_data(
            combined[top].T,
            names,
            [f"#{r + 1}" for r in range(len(top))],
            np.isfinite(self.scores.rated[top]).T,
        )
        self.strip.set_data(
            self.analysis.stretches,
            {c: f"#{rank_of[c] + 1}" for c in range(len(self.order))},
            alpha,
        )
        a = self.analysis
        text = (
            f"Utilitarian winner: #{rank_of[a.utilitarian_winner] + 1} · Rawlsian winner: "
            f"#{rank_of[a.rawlsian_winner] + 1} · price of fairness: {a.price_of_fairness:.2f} "
            "points of mean agreement"
        )
        if self.schulze is not None:
            winner = self.schulze.untied[0]
            text += f" · Schulze winner from the room's rankings: #{rank_of[winner] + 1}"
        self.summary.setText(text)

    def selected(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.scores is None:
            return None
        return self.scores.candidates[self.order[rows[0].row()]].id

    def show_on_projector(self) -> None:
        cid = self.selected()
        if cid is not None and self.scores is not None:
            text = next(c.text for c in self.scores.candidates if c.id == cid)
            self.ctx.projector.show_statement(self.ctx.session.question["text"], text)

    def choose(self) -> None:
        cid = self.selected()
        if cid is None or self.scores is None:
            return
        flow = self.ctx.session
        top = self.scores.candidates[self.order[0]].id
        by = "welfare" if cid == top else "facilitator override"
        basis = "ratings+predictions" if self.scores.has_ratings else "predictions"
        flow.select(cid, f"isoelastic ({basis})", self.alpha, by)
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
