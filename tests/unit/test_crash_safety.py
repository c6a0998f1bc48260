"""Kill a writer with SIGKILL at random moments: nothing it reported as saved may be lost."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

WRITER = Path(__file__).with_name("crash_writer.py")
ITERATIONS = 30
TIME_BUDGET_S = 60


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_loses_nothing_reported_saved(tmp_path: Path) -> None:
    db_path = tmp_path / "library.sqlite"
    rng = random.Random(20221129)
    reported: dict[str, set[int]] = {"opinion": set(), "baseline": set()}
    started = time.monotonic()
    done = 0
    for iteration in range(ITERATIONS):
        if time.monotonic() - started > TIME_BUDGET_S:
            break
        proc = subprocess.Popen(
            [sys.executable, str(WRITER), str(db_path), str(iteration)],
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()  # wait until it is writing
        assert first.startswith("session"), first
        deadline = time.monotonic() + rng.uniform(0.01, 0.4)
        lines: list[str] = []
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate()
        # lines printed before the kill count as reported too (a complete line was flushed after
        # the commit returned)
        for line in lines + rest.splitlines(keepends=True):
            if line.endswith("\n"):
                kind, _, ident = line.strip().partition(" ")
                if kind in reported:
                    reported[kind].add(int(ident))
        conn = sqlite3.connect(db_path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            opinions = {r[0] for r in conn.execute("SELECT id FROM opinions")}
            baselines = {r[0] for r in conn.execute("SELECT id FROM baseline_ratings")}
        finally:
            conn.close()
        assert reported["opinion"] <= opinions, "an opinion reported as saved was lost"
        assert reported["baseline"] <= baselines, "a rating reported as saved was lost"
        done += 1
    assert done >= 10, f"only {done} kill iterations ran in {TIME_BUDGET_S}s"
    assert len(reported["opinion"]) > done  # the writer really wrote between kills
