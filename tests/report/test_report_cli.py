"""`consensus-desktop session report` through the installed console script."""

from __future__ import annotations

import os
import shutil
import subprocess
from html import escape
from pathlib import Path

import pytest
from browser import pdf_info, pdf_pages
from cases import four

from consensus_desktop.session.facilitation import Facilitation
from consensus_desktop.store.session_store import SessionStore

EXE = shutil.which("consensus-desktop") or "consensus-desktop"


def cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONSENSUS_DESKTOP_HOME": str(home)}
    return subprocess.run([EXE, *args], capture_output=True, text=True, env=env, timeout=600)


def _check(html: Path, pdf: Path, statement: str, charts: int, tmp: Path) -> None:
    page = html.read_text(encoding="utf-8")
    assert escape(statement) in page and page.count("<svg") >= charts
    pages = int(pdf_info(pdf)["Pages"])
    assert len(pdf_pages(pdf, tmp / "page")) == pages >= 1


def test_report_of_a_rated_session_and_refusals(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = SessionStore(home / "data" / "library.sqlite")
    sid = four(store)
    statement = Facilitation(store, sid).selection()["text"]
    store.close()
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    proc = cli("session", "report", "Table 4", str(html), "--pdf", str(pdf), home=home)
    assert proc.returncode == 0, proc.stderr
    _check(html, pdf, statement, 3, tmp_path)
    before = (html.read_bytes(), pdf.read_bytes())
    refusals = {
        "already exists": ("session", "report", "Table 4", str(html)),
        "No session named": ("session", "report", "Table 9", str(tmp_path / "x.html")),
        "does not exist": ("session", "report", "Table 4", str(tmp_path / "no" / "x.html")),
        "different file names": (
            "session",
            "report",
            "Table 4",
            str(tmp_path / "y"),
            "--pdf",
            str(tmp_path / "y"),
        ),
        "app's library": (
            "session",
            "report",
            "Table 4",
            str(home / "data" / "library.sqlite"),
            "--force",
        ),
    }
    for message, args in refusals.items():
        proc = cli(*args, home=home)
        assert proc.returncode == 2 and message in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert (html.read_bytes(), pdf.read_bytes()) == before
    proc = cli(
        "session",
        "report",
        "Table 4",
        str(html),
        "--pdf",
        str(pdf),
        "--force",
        "--with-opinions",
        home=home,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Ann" in html.read_text(encoding="utf-8")


@pytest.mark.model
def test_report_of_a_run_session_with_no_ratings(tmp_path: Path, default_model_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(os.environ["CONSENSUS_DESKTOP_HOME"] + "/data/models", home / "data" / "models")
    run = cli(
        "run",
        "--question",
        "Should we lower the speed limit on roads?",
        "--opinion",
        "Lower limits save lives near schools.",
        "--opinion",
        "Slower roads cost me time at work.",
        "--opinion",
        "Enforcement matters more than the sign.",
        "--n",
        "4",
        "--max-tokens",
        "40",
        "--session",
        "Walk-in",
        "--json",
        home=home,
    )
    assert run.returncode == 0, run.stderr
    store = SessionStore(home / "data" / "library.sqlite")
    flow = Facilitation(store, store.find_session("Walk-in"))
    statement = flow.selection()["text"]
    store.close()
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    proc = cli("session", "report", "Walk-in", str(html), "--pdf", str(pdf), home=home)
    assert proc.returncode == 0, proc.stderr
    _check(html, pdf, statement, 1, tmp_path)
    page = html.read_text(encoding="utf-8")
    assert "Nobody has rated the final statement yet." in page and "gemma" in page.lower()
