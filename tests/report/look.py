"""Render every report case to PNGs for a person to look at: python tests/report/look.py OUT_DIR"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from browser import pdf_pages, print_pdf, screenshot
from cases import CASES

from consensus_desktop.report import save_html
from consensus_desktop.store.session_store import SessionStore


def main(out: Path) -> None:
    from consensus_desktop.gui.report_pdf import write_pdf

    out.mkdir(parents=True, exist_ok=True)
    store = SessionStore(out / "library.sqlite")
    only = set(sys.argv[2:])
    for case in CASES:
        if only and case.name not in only:
            continue
        html = out / f"{case.name}.html"
        report = save_html(store, case.make(store), html, case.options, force=True)
        screenshot(html, out / f"{case.name}-screen.png")
        for paper in ("A4", "Letter"):
            pdf_pages(
                print_pdf(html, out / f"{case.name}-chromium-{paper}.pdf", paper),
                out / f"{case.name}-chromium-{paper}",
                50,
            )
        write_pdf(report, out / f"{case.name}-qt.pdf")
        pdf_pages(out / f"{case.name}-qt.pdf", out / f"{case.name}-qt", 50)
        print(case.name, "done")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
