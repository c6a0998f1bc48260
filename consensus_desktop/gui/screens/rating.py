"""The room rates the shortlist: agreement and quality on 7-point scales, and an optional ranking."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from consensus_desktop.gui.screens.pass_laptop import PassTheLaptopScreen, PrivateNote
from consensus_desktop.gui.style import body, hint
from consensus_desktop.gui.widgets.likert import QUALITY_LABELS, LikertScale


class RatingScreen(PassTheLaptopScreen):
    title = "Rate the statements"
    next_step = "tradeoffs"

    def pending(self) -> list[dict[str, Any]]:
        return self.ctx.session.pending(self.ctx.session.raters())

    def build_entry(self, person: dict[str, Any]) -> QWidget:
        flow = self.ctx.session
        items = flow.shortlist_for(person["id"])
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.addWidget(PrivateNote(f"{person['pseudonym']}, your ratings are private."))
        outer.addWidget(body(flow.question["text"], 1.2))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        page.rows = []  # type: ignore[attr-defined]
        for n, cand in enumerate(items, 1):
            box = QFrame()
            box.setFrameShape(QFrame.Shape.StyledPanel)
            bl = QVBoxLayout(box)
            bl.addWidget(body(f"{n}. {cand.text}", 1.25))
            bl.addWidget(hint("How much do you agree? (focus the scale, keys 1–7)"))
            agree = LikertScale()
            bl.addWidget(agree)
            bl.addWidget(hint("How good is it as a statement for the group?"))
            quality = LikertScale(QUALITY_LABELS)
            bl.addWidget(quality)
            rank_row = QHBoxLayout()
            rank_row.addWidget(QLabel("Your rank (optional, 1 = best):"))
            rank = QSpinBox()
            rank.setRange(0, len(items))
            rank.setSpecialValueText("–")
            rank_row.addWidget(rank)
            rank_row.addStretch(1)
            bl.addLayout(rank_row)
            layout.addWidget(box)
            page.rows.append((cand, agree, quality, rank))  # type: ignore[attr-defined]
        layout.addStretch(1)
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)
        page.first_focus = page.rows[0][1] if page.rows else None  # type: ignore[attr-defined]
        return page

    def save(self, person: dict[str, Any], seconds: float) -> None:
        rows = self.entry.rows  # type: ignore[union-attr]
        missing = [i + 1 for i, (_, agree, _, _) in enumerate(rows) if agree.value() is None]
        if missing:
            raise ValueError(f"Please rate your agreement with statement(s) {missing} first.")
        flow = self.ctx.session
        per_item = seconds / max(len(rows), 1)
        for cand, agree, quality, _ in rows:
            flow.record_rating(person["id"], cand.id, agree.value(), quality.value(), per_item)
        ranks = {cand.id: rank.value() for cand, _, _, rank in rows if rank.value() > 0}
        if ranks:
            flow.record_ranking(person["id"], ranks)
