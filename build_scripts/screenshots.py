"""Walk the facilitation flow offscreen and save a PNG of every screen and of the projector.

    python build_scripts/screenshots.py OUTDIR [--real] [--size 1280x720] [--zoom 1.5] [--n 8]

With --real the default model writes and scores the statements; otherwise a fake engine does
(slowed a little, so the generation screen can be caught mid-run). --zoom sets the app's zoom
(as Ctrl+plus does) to check the pages from a metre away. After the walk, every facilitator
screen is written again at 150% and 200% on a 1280x800 window (``zoom150-*``, ``zoom200-*``) and
its minimum width is printed beside the window's. Run from a checkout: it reuses the keyboard
driver of the GUI tests (``tests/gui/drive.py``, with the input gate's clock moved on instead of
waiting).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "gui"), str(ROOT / "tests")]  # drive, fakes, sample_inputs
ZOOMED = (1.5, 2.0)
ZOOMED_SIZE = (1280, 800)
# a pass-the-laptop step ("intro", "baseline", "opinions", "rating", "critique") is measured on
# its facilitator page; "generation" while it writes (then cancelled, as Esc does); "start" last:
# it closes the session
PASS_STEPS = ("intro", "baseline", "opinions", "rating", "critique")
FACILITATOR_SCREENS = (
    "tradeoffs",
    "results",
    "intro",
    "baseline",
    "opinions",
    "rating",
    "critique",
    "generation",
    "setup",
    "start",
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--real", action="store_true", help="use the default model")
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--zoom", type=float, default=1.0, help="zoom level (1.0 = 100%%)")
    parser.add_argument("--n", type=int, default=8, help="candidate statements")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if "CONSENSUS_DESKTOP_HOME" not in os.environ:
        os.environ["CONSENSUS_DESKTOP_HOME"] = tempfile.mkdtemp(prefix="cd-shots-")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    import drive
    from fakes import FakeEngine, FakeReward

    from consensus_desktop.gui import style
    from consensus_desktop.gui.engine_host import EngineHost
    from consensus_desktop.gui.main_window import MainWindow
    from consensus_desktop.store.session_store import SessionStore

    width, height = (int(x) for x in args.size.split("x"))
    args.outdir.mkdir(parents=True, exist_ok=True)
    host = EngineHost()
    if not args.real:
        host.use(FakeEngine(delay=0.3), FakeReward())
    store = SessionStore(Path(os.environ["CONSENSUS_DESKTOP_HOME"]) / "shots.sqlite")
    win = MainWindow(store=store, engine_host=host, load_model=args.real)
    drive.use_fake_clock(win)
    style._state["zoom"] = min(style.ZOOM_LEVELS, key=lambda z: abs(z - args.zoom))
    style.apply_zoom(win)
    win.resize(width, height)
    win.show()
    win.activateWindow()
    drive.wait_until(lambda: QApplication.activeWindow() is win, 5000)
    if args.real:
        drive.wait_until(lambda: host.is_ready, 300_000)
    win.screens["setup"].n.setValue(args.n)
    projector = win.ctx.projector
    projector.resize(width, height)
    count = 0

    def save(widget, name: str) -> None:  # type: ignore[no-untyped-def]
        nonlocal count
        QApplication.processEvents()
        count += 1
        path = args.outdir / f"{count:02d}-{name}.png"
        widget.grab().save(str(path))
        print(path, flush=True)

    def snap(name: str) -> None:
        save(win, name)
        if name == "rating-entry":  # while the laptop goes round: step and progress, no names
            projector.show()
            save(projector, "projector-progress")
            projector.hide()
            focus = QApplication.focusWidget()
            win.activateWindow()
            drive.wait_until(lambda: QApplication.activeWindow() is win, 5000)
            if focus is not None:
                focus.setFocus()

    snap("start")
    drive.run_whole_session(win, snap=snap)
    projector.show()
    save(projector, "projector-result")
    projector.hide()
    win.activateWindow()  # the keyboard back on the main window
    drive.wait_until(lambda: QApplication.activeWindow() is win, 5000)
    session_id = win.ctx.session.session_id
    for level in ZOOMED:
        win.open_session(session_id)  # as from the start page's list
        for step, width in zoomed_screens(win, level, save):
            print(f"  {step} at {round(level * 100)}%: minimum width {width}", flush=True)
    win.close()
    app.quit()
    return 0


def zoomed_screens(win, level: float, save) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    """Each facilitator screen at ``level`` on a 1280x800 window: saved, and its minimum width."""
    import drive

    from consensus_desktop.gui import style

    style._state["zoom"] = level
    style.apply_zoom(win)
    win.resize(*ZOOMED_SIZE)
    widths = []
    gen = win.screens["generation"]
    for step in FACILITATOR_SCREENS:
        win.go_to(step)
        screen = win.current
        if step in PASS_STEPS:  # the hand-back (or hand-over) page, then the facilitator's
            drive.facilitator_keys(win)
            assert screen.stack.currentWidget() is screen.facilitator
        if step == "generation":  # caught while the model writes
            drive.wait_until(lambda: gen.list.count() >= 1 or gen.worker is None)
        save(win, f"zoom{round(level * 100)}-{step}")
        widths.append((step, win.minimumSizeHint().width()))
        if step == "generation":
            gen.cancel()  # as Esc does; the run stops before the next screen
            drive.wait_until(lambda: gen.worker is None)
    style._state["zoom"] = 1.0
    style.apply_zoom(win)
    return widths


if __name__ == "__main__":
    sys.exit(main())
