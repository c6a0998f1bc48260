"""Walk the facilitation flow offscreen and save a PNG of every screen and of the projector.

    python build_scripts/screenshots.py OUTDIR [--real] [--size 1280x720]

With --real the default model writes and scores the statements; otherwise a fake engine does
(fast). Run from a checkout: it reuses the keyboard driver of the GUI tests.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "gui"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--real", action="store_true", help="use the default model")
    parser.add_argument("--size", default="1280x720")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if "CONSENSUS_DESKTOP_HOME" not in os.environ:
        os.environ["CONSENSUS_DESKTOP_HOME"] = tempfile.mkdtemp(prefix="cd-shots-")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    import drive
    from fakes import FakeEngine, FakeReward

    from consensus_desktop.gui.engine_host import EngineHost
    from consensus_desktop.gui.main_window import MainWindow
    from consensus_desktop.store.session_store import SessionStore

    width, height = (int(x) for x in args.size.split("x"))
    args.outdir.mkdir(parents=True, exist_ok=True)
    host = EngineHost()
    if not args.real:
        host.use(FakeEngine(), FakeReward())
    store = SessionStore(Path(os.environ["CONSENSUS_DESKTOP_HOME"]) / "shots.sqlite")
    win = MainWindow(store=store, engine_host=host, load_model=args.real)
    win.resize(width, height)
    win.show()
    win.activateWindow()
    drive.wait_until(lambda: QApplication.activeWindow() is win, 5000)
    if args.real:
        drive.wait_until(lambda: host.is_ready, 120_000)
    count = 0

    def snap(name: str) -> None:
        nonlocal count
        QApplication.processEvents()
        count += 1
        path = args.outdir / f"{count:02d}-{name}.png"
        win.grab().save(str(path))
        print(path)

    snap("start")
    drive.run_whole_session(win, snap=snap)
    win.ctx.projector.resize(width, height)
    win.ctx.projector.show()
    QApplication.processEvents()
    win.ctx.projector.grab().save(str(args.outdir / f"{count + 1:02d}-projector.png"))
    print(args.outdir / f"{count + 1:02d}-projector.png")
    win.close()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
