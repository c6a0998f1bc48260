"""The PDF of a session with an absurd statement (1 MB, or one unbroken word) is made, capped,
and checked whole before it takes its name; a full disk is one sentence, not a truncated file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import pdf_info, pdf_text
from disks import fill, tmpfs
from sessions import build

from consensus_desktop.report import ReportOptions, gather
from consensus_desktop.report.printable import MAX_CHARS, printable_text
from consensus_desktop.store.database import SessionFileError
from consensus_desktop.store.session_store import SessionStore

pytest.importorskip("PySide6")

HUGE = "We should keep the bus lane. " * 36_000  # about 1 MB of words
WORD = "x" * 200_000  # one unbroken word


def test_printable_text_caps_and_breaks() -> None:
    capped = printable_text(HUGE)
    assert len(capped) < MAX_CHARS + 200
    assert f"{len(HUGE) - MAX_CHARS:,} more characters" in capped
    broken = printable_text("a" * 100)
    assert broken.replace("\u200b", "") == "a" * 100 and broken.count("\u200b") == 2
    assert printable_text("Short and sweet.") == "Short and sweet."


@pytest.mark.parametrize("statement", [HUGE, WORD], ids=["1MB", "one-word"])
def test_pdf_of_a_huge_statement(statement: str, tmp_path: Path) -> None:
    from consensus_desktop.gui.report_pdf import write_pdf

    store = SessionStore(tmp_path / "library.sqlite")
    flow = build(
        store,
        "Huge",
        ["Ann", "Ben", "Cai"],
        [("Q?", "We should.")],
        ["Yes.", "No."],
        statements=[statement, "Keep the lane for buses only."],
    )
    report = gather(store, flow.session_id, ReportOptions())
    store.close()
    pdf = write_pdf(report, tmp_path / "huge.pdf")
    assert 1 <= int(pdf_info(pdf)["Pages"]) <= 12
    assert "the HTML report has the whole text" in " ".join(pdf_text(pdf).split())


@pytest.fixture()
def full_disk(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "tiny", "size=64k") as mount:
        fill(mount, leave=2048)
        yield mount


def test_pdf_on_a_full_disk_is_one_sentence(full_disk: Path, tmp_path: Path) -> None:
    from consensus_desktop.gui.report_pdf import write_pdf

    store = SessionStore(tmp_path / "library.sqlite")
    flow = build(store, "Full", ["Ann", "Ben", "Cai"], [("Q?", "We should.")], ["Yes.", "No."])
    report = gather(store, flow.session_id, ReportOptions())
    store.close()
    target = full_disk / "report.pdf"
    with pytest.raises(SessionFileError) as refused:
        write_pdf(report, target)
    message = str(refused.value)
    assert "\n" not in message and str(target) in message and "disk" in message, message
    assert not target.exists() and not [p for p in full_disk.iterdir() if "partial" in p.name]
