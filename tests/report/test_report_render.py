"""The report read as a reader would: headless chromium (screen, and print on A4 and Letter) and the
Qt-made PDF, every page rendered by pdftoppm and searched by pdftotext."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from browser import pdf_info, pdf_pages, pdf_text, print_pdf, screenshot
from cases import CASES, Case

from consensus_desktop.report import SessionReport, save_html
from consensus_desktop.store.session_store import SessionStore

pytestmark = pytest.mark.slow
PAGE_POINTS = {"A4": (595, 842), "Letter": (612, 792)}


def _rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in {"R", "AL"} for ch in text)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))  # ﬁ ligatures -> fi


def _expected(report: SessionReport) -> list[str]:
    """Words a reader must find in a printed page: each final statement and its figures."""
    out = []
    for q in report.questions:
        if q.final_statement and not _rtl(q.final_statement):  # pdftotext reorders RTL runs
            out.append(q.final_statement)
        if q.final.n:
            out += [f"{q.final.n} of {len(report.participants)}", f"{q.final.mean:.2f}"]
    return out


def _check_pdf(pdf: Path, report: SessionReport, paper: str | None, tmp: Path) -> int:
    info = pdf_info(pdf)
    pages = int(info["Pages"])
    assert pages >= 1
    if paper:
        w, h = (float(x) for x in re.findall(r"[\d.]+", info["Page size"])[:2])
        assert (round(w), round(h)) == PAGE_POINTS[paper]
    rendered = pdf_pages(pdf, tmp / pdf.stem)
    assert len(rendered) == pages and all(p.stat().st_size > 1000 for p in rendered)
    text = _squash(pdf_text(pdf))
    for words in _expected(report):
        assert _squash(words) in text, words
    return pages


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, SessionReport]]:
    out = tmp_path_factory.mktemp("reports")
    store = SessionStore(out / "library.sqlite")
    reports = {}
    for case in CASES:
        path = out / f"{case.name}.html"
        reports[case.name] = (path, save_html(store, case.make(store), path, case.options))
    store.close()
    return reports


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_browser_shows_and_prints_it(case: Case, made, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    html, report = made[case.name]
    assert html.read_text(encoding="utf-8").count("<svg") == case.charts
    png = screenshot(html, tmp_path / "screen.png")
    assert png.stat().st_size > 20_000  # a page with charts, not a blank window
    for paper in ("A4", "Letter"):
        _check_pdf(print_pdf(html, tmp_path / f"{paper}.pdf", paper), report, paper, tmp_path)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_qt_pdf_has_every_page_and_the_figures(case: Case, made, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("PySide6")
    from PySide6.QtGui import QPageSize

    from consensus_desktop.gui.report_pdf import write_pdf

    _, report = made[case.name]
    for paper, size in (("A4", QPageSize.PageSizeId.A4), ("Letter", QPageSize.PageSizeId.Letter)):
        pdf = write_pdf(report, tmp_path / f"{paper}.pdf", QPageSize(size))
        _check_pdf(pdf, report, paper, tmp_path)
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]
