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
    assert re.fullmatch(
        r"speedup: \d+\.\d\d decode_ceiling: \d+\.\d\d host_ms_per_token: \d+\.\d{3}", last
    )


POLIS = [b / "shared" / "data" / "polis" for b in Path(__file__).resolve().parents[3:5]]


@pytest.mark.model
@pytest.mark.skipif(not any(p.is_dir() for p in POLIS), reason="shared Polis data not present")
def test_bench_assembly_smoke() -> None:
    last = run("bench_assembly.py", "--sizes", "10", "20", "40")
    assert re.fullmatch(r"participants: 20 seconds: \d+\.\d\d growth_40_20: \d+\.\d\d", last)


@pytest.mark.model
def test_bench_server_smoke() -> None:
    last = run("bench_server.py", "--n", "2", "--tokens", "4", "--tables", "2", "--repeats", "1")
    assert re.fullmatch(r"server/local: \d+\.\d\d tables_speedup: \d+\.\d\d", last)
