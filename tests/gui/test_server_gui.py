"""Models → Use a model server… and a whole session on a real llama_cpp.server (no fakes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from drive import click, fill, run_whole_session, show, step_to, wait_until
from llama_server import LlamaServer, free_port

pytestmark = [pytest.mark.model, pytest.mark.slow]


def test_server_dialog_lists_tests_and_reports_failures(qtbot, llama_server: LlamaServer) -> None:  # type: ignore[no-untyped-def]
    from consensus_desktop.gui.server_dialog import ServerDialog

    dialog = ServerDialog()
    qtbot.addWidget(dialog)
    show(qtbot, dialog)  # shown and active: typed keys reach its fields, as on a desktop
    fill(dialog.url, f"http://127.0.0.1:{free_port()}/v1")
    click(dialog.buttons["List models"])
    wait_until(lambda: "Nothing answers" in dialog.status.text(), 10_000)
    assert dialog.buttons["Test connection"].isEnabled()  # the dialog never stays blocked
    fill(dialog.url, llama_server.url)
    click(dialog.buttons["List models"])
    wait_until(lambda: dialog.model.count() == 1 and "offers 1" in dialog.status.text(), 10_000)
    assert dialog.model.currentText() == "gemma-3-270m"
    click(dialog.buttons["Test connection"])
    wait_until(lambda: dialog.status.text().startswith("Connected"), 120_000)
    assert "gemma-3-270m" in dialog.status.text() and "Opinions are sent to" in dialog.status.text()
    dialog.reject()


def test_whole_session_on_a_model_server(qtbot, tmp_path: Path, llama_server: LlamaServer) -> None:  # type: ignore[no-untyped-def]
    from consensus_desktop import server_config
    from consensus_desktop.gui.engine_host import EngineHost
    from consensus_desktop.gui.main_window import MainWindow
    from consensus_desktop.store.session_store import SessionStore

    server_config.save(server_config.ServerSettings(llama_server.url, "", True, "sk-gui-9876"))
    try:
        host = EngineHost()
        win = MainWindow(store=SessionStore(tmp_path / "lib.sqlite"), engine_host=host)
        qtbot.addWidget(win)
        show(qtbot, win)
        wait_until(lambda: host.is_ready, 120_000)
    finally:
        server_config.save(server_config.ServerSettings())
    port = llama_server.port
    assert win.privacy_banner.isVisible()
    assert f"Opinions are sent to 127.0.0.1:{port}" in win.privacy_banner.text()
    assert f"server 127.0.0.1:{port}" in win.model_status.text()
    win.grab().save(str(tmp_path / "server-session.png"))
    run_whole_session(win, adjust=lambda s: (step_to(s.n, 2), step_to(s.k, 2)))
    flow = win.ctx.session
    run = flow.store.db.table("generation_runs").get(flow.latest_run_id())
    assert run["backend"] == f"server 127.0.0.1:{port}" and run["model_file"] == "gemma-3-270m"
    assert run["n_found"] >= 1
    dump = "\n".join(flow.store.db.iterdump())
    assert "sk-gui-9876" not in dump
    win.close()
    assert not host.runner.worker_thread.isRunning()
