"""The benchmark scripts keep working (tiny sizes; the real numbers come from running them)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def run(script: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), *args], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def test_bench_welfare_smoke() -> None:
    assert re.fullmatch(
        r"speedup: \d+\.\d\d", run("bench_welfare.py", "--candidates", "40", "--participants", "12")
    )


@pytest.mark.model
def test_bench_generate_smoke() -> None:
    last = run("bench_generate.py", "--n", "2", "--tokens", "4")
    assert re.fullmatch(r"speedup: \d+\.\d\d ceiling: \d+\.\d\d", last)
