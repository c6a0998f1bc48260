"""Before the first window: are the system libraries Qt needs on Linux there? (no Qt import)

Without them Qt aborts with a core dump (exit 134) and a message few facilitators can act on. We
try to load each library and, if some are missing, say which and the install command for
Debian/Ubuntu and Fedora (the README lists the same).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SystemLibrary:
    soname: str
    debian: str
    fedora: str


# What Qt 6's xcb platform plugin and QtGui load at start (Qt's own "Linux requirements" list).
XCB_LIBRARIES = (
    SystemLibrary("libxcb-cursor.so.0", "libxcb-cursor0", "xcb-util-cursor"),
    SystemLibrary("libxcb-icccm.so.4", "libxcb-icccm4", "xcb-util-wm"),
    SystemLibrary("libxcb-keysyms.so.1", "libxcb-keysyms1", "xcb-util-keysyms"),
    SystemLibrary("libxcb-image.so.0", "libxcb-image0", "xcb-util-image"),
    SystemLibrary("libxcb-render-util.so.0", "libxcb-render-util0", "xcb-util-renderutil"),
    SystemLibrary("libxcb-randr.so.0", "libxcb-randr0", "libxcb"),
    SystemLibrary("libxcb-shape.so.0", "libxcb-shape0", "libxcb"),
    SystemLibrary("libxcb-xkb.so.1", "libxcb-xkb1", "libxcb"),
    SystemLibrary("libxkbcommon-x11.so.0", "libxkbcommon-x11-0", "libxkbcommon-x11"),
    SystemLibrary("libEGL.so.1", "libegl1", "libglvnd-egl"),
    SystemLibrary("libfontconfig.so.1", "libfontconfig1", "fontconfig"),
    SystemLibrary("libdbus-1.so.3", "libdbus-1-3", "dbus-libs"),
)


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def needs_xcb(platform: str = sys.platform, env: dict[str, str] | None = None) -> bool:
    """True where Qt will open its window through X11 (xcb)."""
    env = dict(os.environ) if env is None else env
    if not platform.startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.startswith("xcb")
    return not env.get("WAYLAND_DISPLAY")


def missing_libraries(
    libraries: Sequence[SystemLibrary] = XCB_LIBRARIES, loads: Callable[[str], bool] | None = None
) -> list[SystemLibrary]:
    loads = loads or _loads
    return [lib for lib in libraries if not loads(lib.soname)]


def missing_message(missing: Sequence[SystemLibrary]) -> str:
    names = ", ".join(lib.soname for lib in missing)
    debian = " ".join(dict.fromkeys(lib.debian for lib in missing))
    fedora = " ".join(dict.fromkeys(lib.fedora for lib in missing))
    return (
        f"Consensus Desktop cannot open its window: these system libraries are missing: {names}. "
        f"Install them with `sudo apt install {debian}` (Debian/Ubuntu) or "
        f"`sudo dnf install {fedora}` (Fedora), then start the app again."
    )


NO_DISPLAY = (
    "Consensus Desktop cannot open its window: no display was found (DISPLAY is not set). Start "
    "it from a desktop session, or check it without a window with `consensus-desktop --self-test`."
)


def check_gui_libraries(env: dict[str, str] | None = None) -> str | None:
    """The sentence to show when the window cannot open (no X display, or a library it needs is
    missing), else None. Qt itself would abort with a core dump (exit 134) in either case."""
    env = dict(os.environ) if env is None else env
    if not needs_xcb(env=env):
        return None
    if not env.get("DISPLAY"):
        return NO_DISPLAY
    missing = missing_libraries()
    return missing_message(missing) if missing else None
