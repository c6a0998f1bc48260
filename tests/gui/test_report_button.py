"""Save report… on the results screen, after a session rated through the app."""

from __future__ import annotations

import os
import shutil
import subprocess
from html import escape
from pathlib import Path

from drive import NAMES, close_error_dialog, run_whole_session
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QPushButton


def test_save_report_after_a_rated_session(window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    win = window
    run_whole_session(win)
    results = win.screens["results"]
    statement = win.ctx.session.selection()["text"]
    button = next(b for b in results.findChildren(QPushButton) if b.text() == "Save report…")
    answers: list[str] = []  # what the facilitator picks in the save dialog, in turn
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (answers.pop(0), ""))

    def click_save(path: Path) -> None:
        answers.append(str(path))
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        assert not answers, "the save dialog was not asked"

    click_save(tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert escape(statement) in page and page.count("<svg") >= 3
    assert not any(n in page for n in NAMES)  # no names unless asked for (CLI --with-opinions)
    assert win.statusBar().currentMessage() == f"Report saved to {tmp_path / 'r.html'}"
    click_save(tmp_path / "r.pdf")
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    click_save(tmp_path / "missing" / "r.html")
    title, text = close_error_dialog()
    assert title == "Could not save" and "does not exist" in text
    # the same library through the command line
    exe = shutil.which("consensus-desktop") or "consensus-desktop"
    library = win.ctx.store.path
    out = tmp_path / "cli.html"
    proc = subprocess.run(
        [
            exe,
            "session",
            "--library",
            str(library),
            "report",
            win.ctx.session.name,
            str(out),
            "--pdf",
            str(tmp_path / "cli.pdf"),
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8").count("<svg") >= 3
