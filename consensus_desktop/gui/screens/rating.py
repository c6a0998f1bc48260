"""The room rates the shortlist: agreement and quality on 7-point scales, and an optional ranking."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from consensus_desktop.gui.screens.consent import PrivateNote
from consensus_desktop.gui.screens.pass_laptop import PassTheLaptopScreen
from consensus_desktop.gui.style import body, scale_font
from consensus_desktop.gui.widgets.likert import QUALITY_LABELS, LikertScale
from consensus_desktop.session.values import ranking_problem


class RatingScreen(PassTheLaptopScreen):
    title = "Rate the statements"
    step = "rating"
    step_title = "Step 3: everyone rates the shortlist"

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
        page.boxes = []  # type: ignore[attr-defined]
        page.scroll_area = scroll  # type: ignore[attr-defined]
        for n, cand in enumerate(items, 1):
            box = QFrame()
            box.setFrameShape(QFrame.Shape.StyledPanel)
            bl = QVBoxLayout(box)
            bl.addWidget(body(f"{n}. {cand.text}", 1.5))
            bl.addWidget(
                body("How much do you agree? Keys 1–7 on the highlighted scale; Tab moves on.", 1.1)
            )
            agree = LikertScale()
            bl.addWidget(agree)
            bl.addWidget(body("How good is it as a statement for the group?", 1.1))
            quality = LikertScale(QUALITY_LABELS)
            bl.addWidget(quality)
            rank_row = QHBoxLayout()
            rank_label = body(
                f"Your rank (optional: rank all {len(items)} or none; 1 = best):", 1.1
            )
            rank_label.setWordWrap(False)
            rank_row.addWidget(rank_label)
            rank = QSpinBox()
            rank.setRange(0, len(items))
            rank.setSpecialValueText("–")
            scale_font(rank, 1.3)
            rank_row.addWidget(rank)
            rank_row.addStretch(1)
            bl.addLayout(rank_row)
            layout.addWidget(box)
            page.boxes.append(box)  # type: ignore[attr-defined]
            page.rows.append((cand, agree, quality, rank))  # type: ignore[attr-defined]
        layout.addStretch(1)
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)
        page.first_focus = page.rows[0][1] if page.rows else None  # type: ignore[attr-defined]
        return page

    def _focus_row(self, number: int, widget: QWidget) -> None:
        """Scroll statement ``number`` (1-based) into view and put the keyboard on ``widget``."""
        self.entry.scroll_area.ensureWidgetVisible(self.entry.boxes[number - 1])  # type: ignore[union-attr]
        widget.setFocus()

    def save(self, person: dict[str, Any], seconds: float) -> None:
        rows = self.entry.rows  # type: ignore[union-attr]
        missing = [i + 1 for i, (_, agree, _, _) in enumerate(rows) if agree.value() is None]
        if missing:
            self._focus_row(missing[0], rows[missing[0] - 1][1])
            which = (
                f"statement {missing[0]}"
                if len(missing) == 1
                else "statements " + ", ".join(map(str, missing[:-1])) + f" and {missing[-1]}"
            )
            raise ValueError(f"Please say how much you agree with {which} first.")
        problem = ranking_problem({i + 1: r[3].value() for i, r in enumerate(rows)}, len(rows))
        if problem is not None:
            sentence, first = problem
            self._focus_row(first, rows[first - 1][3])
            raise ValueError(sentence)
        flow = self.ctx.session
        per_item = seconds / max(len(rows), 1)
        for cand, agree, quality, _ in rows:
            flow.record_rating(person["id"], cand.id, agree.value(), quality.value(), per_item)
        ranks = {cand.id: rank.value() for cand, _, _, rank in rows if rank.value() > 0}
        if ranks:
            flow.record_ranking(person["id"], ranks)
