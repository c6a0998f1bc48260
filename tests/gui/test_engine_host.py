"""Switching models keeps the old engine until the new one has loaded, then closes the old one on
the model's own thread; a failed load leaves the old one in use.

Run in a child process: in one process with the other GUI tests, PySide6 6.12 crashed the
interpreter at exit (bool_dealloc while collecting) after this scenario, which hid the result.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_switching_models_keeps_the_old_one_until_the_new_one_loads() -> None:
    script = Path(__file__).with_name("engine_switch_check.py")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report == {
        "serving_while_loading": True,
        "failures": ["Model file problem: broken.gguf is not a GGUF model file."],
        "old_kept_after_failure": True,
        "now": "new",
        "old_closed_on_owner_thread": True,
        "owner_is_not_gui_thread": True,
        "threads_left": [],
    }
