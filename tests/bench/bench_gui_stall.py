"""Benchmark: the longest GUI event-loop stall while the real model writes and scores statements.

    python tests/bench/bench_gui_stall.py [--n 16]

A 5 ms timer runs on the GUI thread during generation and prediction; the longest gap between two
ticks, minus the timer period, is the worst freeze a facilitator would see. Target: under 50 ms.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tests" / "gui"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=16)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("CONSENSUS_DESKTOP_HOME", tempfile.mkdtemp(prefix="cd-stall-"))
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    import drive

    from consensus_desktop.gui.engine_host import EngineHost
    from consensus_desktop.gui.main_window import MainWindow
    from consensus_desktop.store.session_store import SessionStore

    host = EngineHost()
    store = SessionStore(Path(os.environ["CONSENSUS_DESKTOP_HOME"]) / "stall.sqlite")
    win = MainWindow(store=store, engine_host=host)
    win.show()
    win.activateWindow()
    drive.wait_until(lambda: host.is_ready, 120_000)
    win.screens["setup"].n.setValue(args.n)
    drive.setup_session(win)
    drive.pass_round(win, lambda i: drive.key("4"))
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    gen = win.screens["generation"]
    drive.pass_round(win, lambda i: drive.type_text(drive.OPINIONS[i]))
    timer.start()
    started = time.perf_counter()
    drive.wait_until(lambda: win.current is win.screens["tradeoffs"], 600_000)
    elapsed = time.perf_counter() - started
    timer.stop()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    stall_ms = max(0.0, (max(gaps) - 0.005) * 1000) if gaps else float("nan")
    print(f"generation + prediction of {args.n} candidates: {elapsed:.1f} s, {len(ticks)} ticks")
    print(f"p99 gap: {sorted(gaps)[int(len(gaps) * 0.99)] * 1000:.1f} ms" if gaps else "")
    print(f"longest event-loop stall: {stall_ms:.1f} ms")
    del gen
    win.close()
    app.quit()


if __name__ == "__main__":
    main()
