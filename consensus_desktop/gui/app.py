"""Start the Qt application (after checking that the system libraries Qt needs are there)."""

from __future__ import annotations

import sys

from consensus_desktop.platform_check import check_gui_libraries


def main(model_path: str | None = None, open_file: str | None = None) -> int:
    problem = check_gui_libraries()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    from PySide6.QtWidgets import QApplication

    from consensus_desktop.gui.library_start import open_library
    from consensus_desktop.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Consensus Desktop")
    store = open_library()  # a damaged or newer library: a dialog, never a traceback
    if store is None:
        return 1
    window = MainWindow(model_path, store=store)
    from consensus_desktop.gui.dialogs import error_hook

    sys.excepthook = error_hook(window)  # a bug in a slot: a dialog and the log, never a crash
    window.show()
    if open_file:  # opened from a file manager: import that session once the window is up
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: window.open_session_file(open_file))
    return int(app.exec())
