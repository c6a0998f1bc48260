"""The printable session report: what the room decided and how, for the room and the public.

``gather`` reads a session from the store into plain data (``data``), ``render_html`` lays it out
as one self-contained HTML page with inline SVG charts (``html``, ``charts``). The PDF is made by
Qt from the same page (``consensus_desktop.gui.report_pdf``), so the core needs no Qt.
"""

from __future__ import annotations

from pathlib import Path

from consensus_desktop.report.data import ReportOptions, SessionReport, gather
from consensus_desktop.report.html import render_html
from consensus_desktop.safe_files import check_destination, write_text
from consensus_desktop.store.session_store import SessionStore

__all__ = ["ReportOptions", "SessionReport", "gather", "render_html", "save_html"]


def save_html(
    store: SessionStore, session_id: int, path: Path, options: ReportOptions, force: bool = False
) -> SessionReport:
    """Write the report of one session to ``path``; returns what it showed (for the PDF)."""
    check_destination(path, force)
    report = gather(store, session_id, options)
    write_text(path, render_html(report))
    return report
