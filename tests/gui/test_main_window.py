from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.model


def test_window_opens_names_the_model_and_closes_cleanly(qtbot) -> None:  # type: ignore[no-untyped-def]
    from consensus_desktop.gui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: "loaded" in window.model_status.text(), timeout=60_000)
    assert "gemma-3-270m-q4_k_m.gguf" in window.model_status.text()
    window.close()
    assert not window.model_runner.worker_thread.isRunning()
    assert window.engine is None


def test_window_reports_a_missing_model(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from consensus_desktop.gui.main_window import MainWindow

    window = MainWindow(str(tmp_path / "nope.gguf"))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: "not available" in window.model_status.text(), timeout=30_000)
    assert "not found" in window.message.text()
    window.close()
