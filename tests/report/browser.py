"""Read the report as a reader would: Debian's headless chromium and poppler's pdftoppm/pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PAPERS = {"A4": "A4", "Letter": "letter"}


def _chromium(*args: str, cwd: Path) -> None:
    assert CHROMIUM, "chromium is not installed (apt-get install chromium)"
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={cwd / 'chromium-profile'}",
        *args,
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120, cwd=cwd)


def screenshot(html: Path, png: Path, width: int = 900, height: int = 4000) -> Path:
    _chromium(
        f"--window-size={width},{height}", f"--screenshot={png}", html.as_uri(), cwd=png.parent
    )
    return png


def print_pdf(html: Path, pdf: Path, paper: str) -> Path:
    """Chromium's print of the page on ``paper`` (A4 or Letter), as a reader's browser prints it."""
    page = html.with_name(f"{html.stem}-{paper}.html")
    text = html.read_text(encoding="utf-8")
    page.write_text(
        text.replace("@page {", f"@page {{ size: {PAPERS[paper]}; ", 1), encoding="utf-8"
    )
    _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri(), cwd=pdf.parent)
    return pdf


def pdf_pages(pdf: Path, out_prefix: Path, dpi: int = 60) -> list[Path]:
    """Every page of ``pdf`` as PNG via pdftoppm (fails if any page cannot be rendered)."""
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(out_prefix)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return sorted(out_prefix.parent.glob(out_prefix.name + "-*.png"))


def pdf_info(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def pdf_text(pdf: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return re.sub(r"\s+", " ", out)
