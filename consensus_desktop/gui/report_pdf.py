"""The session report as a PDF, printed by Qt from the same HTML page (no browser needed).

Qt's rich text does not draw SVG, so each chart stands in the page as a placeholder image that is
then replaced by a text object drawn by QtSvg: the charts stay vector graphics, their numbers stay
text in the PDF.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, QMarginsF, QSizeF
from PySide6.QtGui import (
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPyTextObject,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from consensus_desktop.report.data import SessionReport
from consensus_desktop.report.html import Flavour, render_html
from consensus_desktop.report.printable import printable
from consensus_desktop.safe_files import atomic_path
from consensus_desktop.store.database import SessionFileError

SVG_OBJECT = QTextFormat.ObjectTypes.UserObject.value + 1
SVG_INDEX = QTextFormat.Property.UserProperty.value + 1
MARGIN_MM = 15.0
PX_PER_MM = 96 / 25.4  # the document is laid out in CSS pixels
_app: QApplication | None = None


def _ensure_app() -> None:
    """The CLI has no window: an offscreen Qt application is enough to lay out and print. It is a
    QApplication (not just a QGuiApplication), so widgets can still be made in the same process."""
    global _app
    if QGuiApplication.instance() is None:
        platform = [] if os.environ.get("QT_QPA_PLATFORM") else ["-platform", "offscreen"]
        _app = QApplication(["consensus-desktop", *platform])


def default_page_size() -> QPageSize:
    """US Letter where the locale measures in inches, A4 elsewhere."""
    imperial = QLocale().measurementSystem() == QLocale.MeasurementSystem.ImperialUSSystem
    return QPageSize(QPageSize.PageSizeId.Letter if imperial else QPageSize.PageSizeId.A4)


class _SvgCharts(QPyTextObject):
    """Draws chart ``i`` where the document holds an object with SVG_INDEX = i, page-wide."""

    def __init__(self, svgs: list[str]) -> None:
        super().__init__()
        self.renderers = [QSvgRenderer(svg.encode("utf-8")) for svg in svgs]

    def _renderer(self, fmt: Any) -> QSvgRenderer:
        return self.renderers[int(fmt.property(SVG_INDEX))]

    def intrinsicSize(self, doc: QTextDocument, pos: int, fmt: Any) -> QSizeF:
        size = self._renderer(fmt).defaultSize()
        width = doc.pageSize().width() - 2 * doc.documentMargin() - 4
        return QSizeF(width, width * size.height() / max(size.width(), 1))

    def drawObject(
        self, painter: QPainter, rect: Any, doc: QTextDocument, pos: int, fmt: Any
    ) -> None:
        self._renderer(fmt).render(painter, rect)


def document(report: SessionReport, page_size: QPageSize) -> QTextDocument:
    """The report laid out on pages of ``page_size`` (in CSS pixels), charts as SVG objects."""
    svgs: list[str] = []

    def embed(svg: str, description: str) -> str:
        svgs.append(svg)
        return f'<img src="chart:{len(svgs) - 1}" alt="{description}">'

    doc = QTextDocument()
    doc.setDocumentMargin(MARGIN_MM * PX_PER_MM)
    size = page_size.size(QPageSize.Unit.Millimeter)
    doc.setPageSize(QSizeF(size.width() * PX_PER_MM, size.height() * PX_PER_MM))
    flavour = Flavour(
        embed,
        '<table width="100%" cellspacing="0" cellpadding="0"><tr><td class="box">',
        "</td></tr></table>",
    )
    doc.setHtml(render_html(report, flavour))
    handler = _SvgCharts(svgs)
    handler.setParent(doc)
    doc.documentLayout().registerHandler(SVG_OBJECT, handler)
    _replace_placeholders(doc)
    _keep_tables_whole(doc)
    return doc


def _keep_tables_whole(doc: QTextDocument) -> None:
    """A table that would straddle two pages but fits on one starts on a new page (Qt's own
    pagination splits tables between rows, and ignores CSS break-inside)."""
    layout = doc.documentLayout()
    page = doc.pageSize().height()
    usable = page - 2 * doc.documentMargin()
    for frame in doc.rootFrame().childFrames():
        rect = layout.frameBoundingRect(frame)
        if rect.height() >= usable or int(rect.top() // page) == int((rect.bottom() - 1) // page):
            continue
        fmt = frame.frameFormat()
        fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
        frame.setFrameFormat(fmt)


def _replace_placeholders(doc: QTextDocument) -> None:
    found: list[tuple[int, int, int]] = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            fmt = frag.charFormat()
            if fmt.isImageFormat() and fmt.toImageFormat().name().startswith("chart:"):
                index = int(fmt.toImageFormat().name().split(":", 1)[1])
                found.append((frag.position(), frag.length(), index))
            it += 1
        block = block.next()
    for position, length, index in reversed(found):
        cursor = QTextCursor(doc)
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        obj = QTextCharFormat()
        obj.setObjectType(SVG_OBJECT)
        obj.setProperty(SVG_INDEX, index)
        cursor.insertText("\ufffc", obj)


def write_pdf(report: SessionReport, path: Path, page_size: QPageSize | None = None) -> Path:
    """Print the report to ``path`` (temporary file, then renamed); A4 or Letter by locale.

    Texts are capped and made breakable for print (report/printable.py); the file is checked to
    be a whole PDF before it takes the name (Qt's writer says nothing when the disk fills)."""
    _ensure_app()
    page = page_size or default_page_size()
    doc = document(printable(report), page)

    with atomic_path(Path(path)) as tmp:
        writer = QPdfWriter(str(tmp))
        writer.setTitle(f"Session report: {report.title}")
        writer.setCreator(f"Consensus Desktop {report.app_version}")
        writer.setPageSize(page)
        writer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
        doc.print_(writer)
        del writer  # closes the file before it is renamed
        _check_whole(tmp, Path(path))
    return Path(path)


def _check_whole(made: Path, target: Path) -> None:
    """A PDF ends with its trailer (``%%EOF``); a truncated one does not."""
    size = made.stat().st_size if made.exists() else 0
    tail = b""
    if size:
        with made.open("rb") as handle:
            handle.seek(max(0, size - 1024))
            tail = handle.read()
    if b"%%EOF" not in tail:
        raise SessionFileError(
            f"{target} could not be written whole ({size:,} bytes, no PDF trailer): the disk may "
            "be full. Nothing was saved under that name."
        )
