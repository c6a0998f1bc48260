"""The Qt binding survives what the app does all the time: signals emitted from worker threads.

PySide6 6.12.0 dropped a reference to True/False on every such emit, and Python 3.11 aborted
after a few thousand ("bool_dealloc"); pyproject.toml keeps it out. Run in a child process, since
the failure kills the interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_worker_thread_signals_leave_reference_counts_alone() -> None:
    script = Path(__file__).with_name("signal_refcount_check.py")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    moved = json.loads(proc.stdout.strip().splitlines()[-1])
    assert moved == {"true": 0, "false": 0}
