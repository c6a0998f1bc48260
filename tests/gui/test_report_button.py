"""Save report… on the results screen, after a session rated through the app."""

from __future__ import annotations

import os
import shutil
import subprocess
from html import escape
from pathlib import Path

from drive import NAMES, close_error_dialog, run_whole_session


def test_save_report_after_a_rated_session(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    win = window
    run_whole_session(win)
    results = win.screens["results"]
    statement = win.ctx.session.selection()["text"]
    html = results.save_report(tmp_path / "r.html")
    page = html.read_text(encoding="utf-8")
    assert escape(statement) in page and page.count("<svg") >= 3
    assert not any(n in page for n in NAMES)  # no names unless asked for (CLI --with-opinions)
    pdf = results.save_report(tmp_path / "r.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert results.save_report(tmp_path / "missing" / "r.html") is None
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
