"""An assembly's agreement heatmap: one row per table (min and mean), expandable to its people.

With 200 people the collapsed view is 20 rows; a table opens with Right (or a click on its arrow)
and shows one row per member. Colours are the heatmap's (red disagree, white neutral, green agree).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from consensus_desktop.assembly.plenary import table_view
from consensus_desktop.gui.widgets.heatmap import agreement_color


class TableHeatmap(QTreeWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlternatingRowColors(False)
        self.setUniformRowHeights(True)
        self.setRootIsDecorated(True)

    def set_data(
        self,
        agreement: np.ndarray,
        columns: Sequence[str],
        labels: Sequence[str],
        sizes: Sequence[int],
        people: Sequence[str],
    ) -> None:
        """``agreement``: candidates x people (1–7), people grouped by table in ``labels`` order."""
        self.clear()
        self.setColumnCount(1 + len(columns))
        self.setHeaderLabels(["Table / person", *columns])
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view = table_view(agreement, labels, sizes)
        start = 0
        for k, (label, size) in enumerate(zip(labels, sizes, strict=True)):
            cells = [
                f"min {view.min[j, k]:.1f} · mean {view.mean[j, k]:.1f}"
                for j in range(len(columns))
            ]
            row = QTreeWidgetItem([f"{label} ({size})", *cells])
            for j in range(len(columns)):
                self._colour(row, j + 1, float(view.mean[j, k]))
            for i in range(start, start + size):
                person = QTreeWidgetItem(
                    [people[i], *(f"{agreement[j, i]:.1f}" for j in range(len(columns)))]
                )
                for j in range(len(columns)):
                    self._colour(person, j + 1, float(agreement[j, i]))
                row.addChild(person)
            self.addTopLevelItem(row)
            start += size
        first = self.topLevelItem(0)
        if first is not None:
            self.setCurrentItem(first)

    @staticmethod
    def _colour(item: QTreeWidgetItem, column: int, value: float) -> None:
        item.setBackground(column, QBrush(agreement_color(value)))
        item.setForeground(column, QBrush(QColor(20, 20, 20)))
