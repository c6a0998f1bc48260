"""Build and check the macOS disk image: `Consensus Desktop.app` in a .dmg, llama.cpp on Metal.

    python build_scripts/installers/make_macos.py prepare [--dry-run]   # llama-cpp-python with Metal
    python build_scripts/installers/make_macos.py package [--app APP] [--out DIR] [--dry-run]
    python build_scripts/installers/make_macos.py check DMG [--allow-cpu] [--dry-run]
    python build_scripts/installers/make_macos.py release               # all of it, in order

Runs on macOS (the release workflow's macos-14 arm64 runner: hdiutil, Xcode's compilers).
Elsewhere only --dry-run works: it checks the arguments and prints the commands. On arm64 the
check requires the self-test to report "backend Metal" (--allow-cpu relaxes it, for a runner
without a usable GPU). The .app is not signed: Gatekeeper asks the user to open it once from
the context menu; signing and notarising need the project's Apple Developer identity.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import (
    OUT,
    ROOT,
    BuildError,
    check_installed,
    dispatch,
    installer_name,
    main_guard,
    need_os,
    need_tools,
    run,
    this_arch,
    version,
)

APP_BUNDLE = ROOT / "dist" / "Consensus Desktop.app"
METAL = {"CMAKE_ARGS": "-DGGML_METAL=on"}
LLAMA = "llama-cpp-python>=0.3.30"


def prepare(args: argparse.Namespace) -> int:
    """Rebuild llama-cpp-python from source with Metal, then install the app's build extra."""
    pip = [sys.executable, "-m", "pip", "install"]
    steps = [
        [*pip, "--force-reinstall", "--no-cache-dir", "--no-binary", "llama-cpp-python", LLAMA],
        [*pip, "-e", ".[build]"],
    ]
    if args.dry_run:
        for s in steps:
            print("CMAKE_ARGS=-DGGML_METAL=on", " ".join(s))
        return 0
    need_os("macos")
    for s in steps:
        run(s, cwd=ROOT, env={**os.environ, **METAL})
    return 0


def package(args: argparse.Namespace) -> int:
    dmg = args.out / installer_name("macos", args.arch, "dmg", version())
    command = ["hdiutil", "create", "-volname", "Consensus Desktop", "-fs", "HFS+"]
    command += ["-format", "UDZO", "-ov", "-srcfolder", "STAGE", str(dmg)]
    if args.dry_run:
        print(" ".join(command))
        return 0
    need_os("macos")
    need_tools("hdiutil")
    if not (args.app / "Contents" / "MacOS").is_dir():
        raise BuildError(f"No .app at {args.app}: run `python build_scripts/build.py` first.")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dmg-") as stage:
        shutil.copytree(args.app, Path(stage) / args.app.name, symlinks=True)
        (Path(stage) / "Applications").symlink_to("/Applications")  # drag here to install
        run([stage if c == "STAGE" else c for c in command])
    print(f"{dmg} ({dmg.stat().st_size / 1e6:.0f} MB)")
    return 0


def check(args: argparse.Namespace) -> int:
    """Copy the .app out of the mounted image, self-test it, copy again, delete: library kept."""
    if args.dry_run:
        print(f"hdiutil attach -nobrowse -readonly -mountpoint MOUNT {args.dmg}")
        print("MOUNT/Consensus Desktop.app/Contents/MacOS/consensus-desktop --self-test")
        return 0
    need_os("macos")
    if not args.dmg.is_file():
        raise BuildError(f"No disk image at {args.dmg}.")
    backend = None if args.allow_cpu or this_arch() != "arm64" else "Metal"
    with tempfile.TemporaryDirectory(prefix="dmg-check-") as tmp:
        mount, apps = Path(tmp) / "mount", Path(tmp) / "Applications"
        apps.mkdir()
        run(["hdiutil", "attach", "-nobrowse", "-readonly", "-mountpoint", mount, args.dmg])
        try:
            source = mount / APP_BUNDLE.name

            def install() -> None:
                shutil.rmtree(apps / source.name, ignore_errors=True)
                run(["ditto", source, apps / source.name])

            install()
            exe = apps / source.name / "Contents" / "MacOS" / "consensus-desktop"
            uninstall = lambda: shutil.rmtree(apps / source.name)  # noqa: E731
            print(check_installed(exe, install, uninstall, backend))
        finally:
            subprocess.run(["hdiutil", "detach", str(mount)], check=False)
    return 0


def release(args: argparse.Namespace) -> int:
    need_os("macos")
    prepare(argparse.Namespace(dry_run=False))
    run([sys.executable, str(ROOT / "build_scripts" / "build.py")], cwd=ROOT)
    arch = this_arch()
    package(argparse.Namespace(app=APP_BUNDLE, out=OUT, arch=arch, dry_run=False))
    dmg = OUT / installer_name("macos", arch, "dmg", version())
    return check(argparse.Namespace(dmg=dmg, allow_cpu=False, dry_run=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("prepare", help="llama-cpp-python built with Metal, and the build extra")
    p.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    p.set_defaults(func=prepare)
    k = sub.add_parser("package", help="put the .app in a compressed .dmg")
    k.add_argument("--app", type=Path, default=APP_BUNDLE)
    k.add_argument("--out", type=Path, default=OUT)
    k.add_argument("--arch", choices=("arm64", "x86_64"), default="arm64")
    k.add_argument("--dry-run", action="store_true", help="print the command, run nothing")
    k.set_defaults(func=package)
    c = sub.add_parser("check", help="install from the .dmg, self-test, reinstall, delete")
    c.add_argument("dmg", type=Path)
    c.add_argument("--allow-cpu", action="store_true", help="accept a CPU self-test on arm64")
    c.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    c.set_defaults(func=check)
    sub.add_parser("release", help="all of it, on a macOS runner").set_defaults(func=release)
    return dispatch(parser)


if __name__ == "__main__":
    sys.exit(main_guard(main))
