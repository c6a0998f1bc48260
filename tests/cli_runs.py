"""The installed ``consensus-desktop`` command, run as a user runs it (shared by CLI tests)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

from sample_inputs import OPINIONS, QUESTION

EXE = shutil.which("consensus-desktop") or "consensus-desktop"


def cli(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args], capture_output=True, text=True, env=dict(os.environ), timeout=timeout
    )


def run_json(*extra: str) -> dict:
    """``run --n 4 --json`` on the sample question and opinions (fixed seed)."""
    args = ["run", "--question", QUESTION]
    for o in OPINIONS:
        args += ["--opinion", o]
    proc = cli(*args, "--n", "4", "--max-tokens", "40", "--json", *extra)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)
