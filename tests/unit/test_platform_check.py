from __future__ import annotations

import os
import subprocess
import sys

from consensus_desktop.platform_check import (
    NO_DISPLAY,
    XCB_LIBRARIES,
    check_gui_libraries,
    missing_libraries,
    missing_message,
    needs_xcb,
)


def test_missing_libraries_are_named_with_install_commands() -> None:
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    missing = missing_libraries(loads=lambda name: name not in absent)
    assert [m.soname for m in missing] == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    text = missing_message(missing)
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in text
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1" in text
    assert "sudo dnf install xcb-util-wm xcb-util-keysyms" in text


def test_only_x11_on_linux_is_checked() -> None:
    assert needs_xcb("linux", {})
    assert needs_xcb("linux", {"QT_QPA_PLATFORM": "xcb"})
    assert not needs_xcb("linux", {"QT_QPA_PLATFORM": "offscreen"})
    assert not needs_xcb("linux", {"WAYLAND_DISPLAY": "wayland-0"})
    assert not needs_xcb("win32", {}) and not needs_xcb("darwin", {})


def test_the_app_exits_2_with_a_sentence_when_a_library_is_missing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # a real start of the app in a child process, with the loader told one library is absent
    code = (
        "import sys, consensus_desktop.platform_check as pc\n"
        "real = pc._loads\n"
        "pc._loads = lambda n: n != 'libxcb-icccm.so.4' and real(n)\n"
        "from consensus_desktop.cli.main import main\n"
        "sys.exit(main([]))\n"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "QT_QPA_PLATFORM": "xcb",
        "DISPLAY": ":99",  # never connected to: the check comes first
        "CONSENSUS_DESKTOP_HOME": str(tmp_path),
    }
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 2, proc.stderr
    assert "libxcb-icccm.so.4" in proc.stderr and "Traceback" not in proc.stderr
    assert len(XCB_LIBRARIES) >= 10


def test_the_app_exits_2_with_a_sentence_when_there_is_no_display(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Without it Qt's xcb plugin aborts (exit 134, "Reinstalling the application may fix this")."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "QT_QPA_PLATFORM": "xcb",
        "CONSENSUS_DESKTOP_HOME": str(tmp_path),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "consensus_desktop"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == NO_DISPLAY
    assert check_gui_libraries({"DISPLAY": ":0"}) != NO_DISPLAY
    assert check_gui_libraries({"QT_QPA_PLATFORM": "offscreen"}) is None
