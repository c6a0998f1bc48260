"""The screenshot walk runs as its docstring says (fake engine), and at 150% and 200% zoom no
facilitator screen (each step's facilitator page and the generation screen included) is wider
than a 1280x800 window."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_screenshot_walk_writes_every_screen_and_the_zoomed_ones_fit(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CONSENSUS_DESKTOP_HOME=str(tmp_path))
    proc = subprocess.run(
        [sys.executable, str(ROOT / "build_scripts" / "screenshots.py"), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=tmp_path,  # as documented: any folder, the script finds its checkout
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    names = {p.name.split("-", 1)[1] for p in (tmp_path / "out").glob("*.png")}
    for name in ("start", "setup", "tradeoffs-rated", "results", "rating-handback"):
        assert f"{name}.png" in names, sorted(names)
    widths = re.findall(r"(\w+) at (\d+)%: minimum width (\d+)", proc.stdout)
    screens = ("tradeoffs", "results", "rating", "setup", "start", "generation")
    screens += ("intro", "baseline", "opinions", "critique")  # their facilitator pages
    assert {(s, z) for s, z, _ in widths} == {(s, z) for s in screens for z in ("150", "200")}
    for screen, zoom, width in widths:
        assert f"zoom{zoom}-{screen}.png" in names
        assert int(width) <= 1280, f"{screen} at {zoom}% needs {width} px"
