"""Build the packaged app for this OS, then run its self-test offline with no Python on PATH.

    python build_scripts/build.py [--skip-build]

Needs the `build` extra (pip install -e ".[build]"). Prints the bundle size and the self-test's
wall time (a cold start: a fresh, empty app home).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
APP = DIST / "consensus-desktop"


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build() -> None:
    with tempfile.TemporaryDirectory(prefix="cd-build-home-") as home:
        env = dict(os.environ, CONSENSUS_DESKTOP_HOME=home)
        model = subprocess.run(
            [
                sys.executable,
                "-c",
                "from consensus_desktop.model_catalog import default_model_path; print(default_model_path())",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        env["CD_BUNDLE_MODEL"] = model
        subprocess.run(
            [
                sys.executable,
                "-m",
                "PyInstaller",
                "--noconfirm",
                "--clean",
                "--distpath",
                str(DIST),
                "--workpath",
                str(ROOT / "build" / "pyinstaller"),
                str(ROOT / "build_scripts" / "consensus_desktop.spec"),
            ],
            env=env,
            check=True,
        )


def self_test() -> tuple[int, float, str]:
    exe = APP / ("consensus-desktop.exe" if os.name == "nt" else "consensus-desktop")
    with tempfile.TemporaryDirectory(prefix="cd-selftest-home-") as home:
        # No Python environment on PATH, no network proxies, an empty app home: a cold start.
        env = {
            "PATH": "/usr/bin:/bin" if os.name != "nt" else os.environ.get("SYSTEMROOT", ""),
            "HOME": home,
            "CONSENSUS_DESKTOP_HOME": home,
            "QT_QPA_PLATFORM": "offscreen",
            "HF_HUB_OFFLINE": "1",
            "LANG": "C.UTF-8",
        }
        command = [str(exe), "--self-test"]
        note = ""
        # On Linux, run it in a new network namespace: no network interface at all.
        if sys.platform.startswith("linux") and shutil.which("unshare"):
            if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0:
                command = ["unshare", "-n", *command]
                note = "(run with no network: unshare -n)\n"
        started = time.perf_counter()
        proc = subprocess.run(
            command, env=env, capture_output=True, text=True, cwd=home, timeout=600
        )
        return proc.returncode, time.perf_counter() - started, note + proc.stdout + proc.stderr


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    if not args.skip_build:
        if shutil.which("pyinstaller") is None and not _has_pyinstaller():
            print("PyInstaller is missing: pip install -e '.[build]'", file=sys.stderr)
            return 2
        build()
    rc, seconds, output = self_test()
    print(output.rstrip())
    size = folder_size(APP)
    print(f"bundle: {APP} ({size / 1e6:.0f} MB)")
    print(f"self-test: {'passed' if rc == 0 else 'FAILED'} in {seconds:.1f} s (cold start)")
    return rc


def _has_pyinstaller() -> bool:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
