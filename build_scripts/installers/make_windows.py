"""Build and check the Windows installer (Inno Setup 6, per-user, Start-menu entry, uninstaller).

    python build_scripts/installers/make_windows.py package [--bundle DIR] [--out DIR] [--iscc EXE] [--dry-run]
    python build_scripts/installers/make_windows.py check INSTALLER [--dry-run]
    python build_scripts/installers/make_windows.py release      # build.py, package, check

Runs on Windows (the release workflow's windows-2022 runner, where Inno Setup 6 is installed).
Elsewhere only --dry-run works: it checks the arguments and prints the commands it would run.
The self-test there cannot cut the network off: it runs with HF_HUB_OFFLINE=1 and no model
download configured, as on Linux the app never opens a connection by itself.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from common import (
    BUNDLE,
    OUT,
    ROOT,
    BuildError,
    check_installed,
    dispatch,
    installer_name,
    main_guard,
    need_bundle,
    need_os,
    run,
    version,
)

ISS = Path(__file__).resolve().parent / "windows" / "consensus_desktop.iss"
ISCC = Path(r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe")
SILENT = ["/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART"]


def iscc_command(bundle: Path, out: Path, iscc: Path) -> list[str]:
    name = installer_name("windows", "x86_64", "exe", version())
    return [
        str(iscc),
        f"/DAppVersion={version()}",
        f"/DSourceDir={bundle}",
        f"/DOutputDir={out}",
        f"/DOutputName={name.removesuffix('.exe')}",
        str(ISS),
    ]


def package(args: argparse.Namespace) -> int:
    command = iscc_command(args.bundle.resolve(), args.out.resolve(), args.iscc)
    if args.dry_run:
        print(" ".join(command))
        return 0
    need_os("windows")
    need_bundle(args.bundle, "consensus-desktop.exe")
    if not args.iscc.is_file():
        raise BuildError(f"No Inno Setup compiler at {args.iscc}: install Inno Setup 6.")
    args.out.mkdir(parents=True, exist_ok=True)
    run(command)
    return 0


def check(args: argparse.Namespace) -> int:
    """Install into a temporary folder, self-test, install again, uninstall: library kept."""
    target = Path(tempfile.gettempdir()) / "consensus-desktop-check"
    install = [str(args.installer), *SILENT, f"/DIR={target}"]
    if args.dry_run:
        print(" ".join(install))
        print(f"{target / 'consensus-desktop.exe'} --self-test")
        print(f"{target / 'unins000.exe'} {' '.join(SILENT)}")
        return 0
    need_os("windows")
    if not args.installer.is_file():
        raise BuildError(f"No installer at {args.installer}.")
    run(install)
    print(
        check_installed(
            target / "consensus-desktop.exe",
            reinstall=lambda: run(install),
            uninstall=lambda: run([str(target / "unins000.exe"), *SILENT]),
            backend=None,
        )
    )
    return 0


def release(args: argparse.Namespace) -> int:
    need_os("windows")
    run([sys.executable, "-m", "pip", "install", "-e", ".[build]"], cwd=ROOT)
    run([sys.executable, str(ROOT / "build_scripts" / "build.py")], cwd=ROOT)
    ns = argparse.Namespace(bundle=BUNDLE, out=OUT, iscc=ISCC, dry_run=False)
    package(ns)
    ns.installer = OUT / installer_name("windows", "x86_64", "exe", version())
    return check(ns)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("package", help="compile the installer from the PyInstaller folder")
    p.add_argument("--bundle", type=Path, default=BUNDLE)
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--iscc", type=Path, default=ISCC, help="Inno Setup's ISCC.exe")
    p.add_argument("--dry-run", action="store_true", help="print the command, run nothing")
    p.set_defaults(func=package)
    c = sub.add_parser("check", help="install, self-test, reinstall, uninstall")
    c.add_argument("installer", type=Path)
    c.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    c.set_defaults(func=check)
    sub.add_parser("release", help="all of it, on a Windows runner").set_defaults(func=release)
    return dispatch(parser)


if __name__ == "__main__":
    sys.exit(main_guard(main))
