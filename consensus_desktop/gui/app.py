"""Start the Qt application."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from consensus_desktop.gui.main_window import MainWindow


def main(model_path: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Consensus Desktop")
    window = MainWindow(model_path)
    window.show()
    return int(app.exec())
