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
RUN_TABLES = ("generation_runs", "candidates", "predictions", "questions", "selections", "opinions")


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


def _kill_at_random(
    args: list[str], rng: random.Random, max_delay: float
) -> tuple[list[str], subprocess.Popen[str]]:
    """Start a helper, wait until it is ready, let it run a random while, SIGKILL it."""
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, text=True, bufsize=1)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(rng.uniform(0.0, max_delay))
    proc.send_signal(signal.SIGKILL)
    rest, _ = proc.communicate()
    return rest.splitlines(), proc


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_while_recording_a_run_leaves_whole_runs_only(tmp_path: Path) -> None:
    """`run --session`'s recording killed at random moments: every run is there whole or not at
    all (no session stuck at "setup", no candidates without predictions)."""
    db_path = tmp_path / "library.sqlite"
    n, p = 150, 6
    rng = random.Random(17)
    started = time.monotonic()
    done, reported = 0, 0
    while done < 12 and time.monotonic() - started < TIME_BUDGET_S:
        lines, _ = _kill_at_random(
            [str(WRITER.with_name("crash_recorder.py")), str(db_path), str(n)], rng, 0.8
        )
        reported += sum(line.startswith("recorded") for line in lines)
        conn = sqlite3.connect(db_path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            counts = {
                t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in RUN_TABLES
            }
            runs = counts["generation_runs"]
            assert counts["candidates"] == n * runs
            assert counts["predictions"] == n * p * runs
            assert counts["questions"] == runs
            assert counts["selections"] == runs
            assert counts["opinions"] == p * runs
            steps = {r[0] for r in conn.execute("SELECT current_step FROM sessions")}
            assert steps <= {"results"}, steps
            assert runs >= reported  # a run reported as recorded is there
        finally:
            conn.close()
        done += 1
    assert done >= 5, f"only {done} kill iterations ran in {TIME_BUDGET_S}s"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_while_anonymising_never_leaves_a_named_file(tmp_path: Path) -> None:
    from consensus_desktop.store.session_store import SessionStore

    library = tmp_path / "library.sqlite"
    store = SessionStore(library)
    sid = store.create_session("Named")
    qid = store.add_question(sid, "Q?")
    names = ["Zelda Moss", "Quentin", "Hortense"]
    pids = [store.add_participant(sid, name) for name in names]
    with store.transaction():
        for i in range(1500):
            store.add_opinion(pids[i % 3], qid, f"{names[(i + 1) % 3]}'s point, take {i}")
    store.close()
    target = tmp_path / "anonymised.sqlite"
    rng = random.Random(29)
    started = time.monotonic()
    done = 0
    while done < 12 and time.monotonic() - started < TIME_BUDGET_S:
        _kill_at_random(
            [str(WRITER.with_name("crash_anonymiser.py")), str(library), str(target)], rng, 1.0
        )
        if target.exists():  # whatever is under the final name is complete and anonymised
            data = target.read_bytes().decode("utf-8", "replace").casefold()
            for word in ("zelda", "moss", "quentin", "hortense"):
                assert word not in data, word
            conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
            try:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                assert conn.execute("SELECT count(*) FROM opinions").fetchone()[0] == 1500
                meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
                assert meta["anonymised"] == "text kept"
            finally:
                conn.close()
        done += 1
    assert done >= 5 and target.exists()
