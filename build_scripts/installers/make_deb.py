"""Build the Debian package from the PyInstaller bundle (Linux only).

    python build_scripts/installers/make_deb.py [--bundle DIR] [--out DIR] [--compression gzip|xz|zstd]

Installs the app under /opt/consensus-desktop with a `consensus-desktop` command in /usr/bin, a
.desktop entry, its icon and the session files' MIME type. Depends lists the Debian packages of
the system libraries the bundle links to but does not carry (read from each ELF file's NEEDED
entries, then `dpkg -S`), so `apt-get install ./FILE.deb` installs them. The user's library and
models live in the per-user data folder: installing, upgrading or removing leaves them alone.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import (
    APP,
    BUNDLE,
    LINUX,
    OUT,
    BuildError,
    installer_name,
    link_tree,
    main_guard,
    need_bundle,
    need_os,
    need_tools,
    run,
    this_arch,
    version,
    write_text,
)

PREFIX = Path("opt") / APP


def elf_files(bundle: Path) -> list[Path]:
    found = []
    for p in sorted(bundle.rglob("*")):
        if p.is_file() and not p.is_symlink():
            with p.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    found.append(p)
    return found


def linked_libraries(elves: list[Path]) -> tuple[set[str], str]:
    """The sonames the ELF files need (NEEDED), and the newest glibc symbol version they use."""
    needed: set[str] = set()
    glibc = "2.17"
    for elf in elves:
        text = subprocess.run(
            ["objdump", "-p", str(elf)], capture_output=True, text=True, check=False
        ).stdout
        needed.update(re.findall(r"^\s+NEEDED\s+(\S+)", text, re.M))
        for v in re.findall(r"\bGLIBC_(\d+\.\d+(?:\.\d+)?)\b", text):
            glibc = max(glibc, v, key=lambda s: tuple(int(x) for x in s.split(".")))
    return needed, glibc


def system_paths() -> dict[str, str]:
    """soname -> path, for this machine's native architecture (from `ldconfig -p`)."""
    text = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    arch = "x86-64" if this_arch() == "x86_64" else "AArch64"
    paths: dict[str, str] = {}
    for soname, flags, path in re.findall(r"^\s+(\S+) \(([^)]*)\) => (\S+)", text, re.M):
        if arch in flags or ("x86-64" not in flags and "AArch64" not in flags):
            paths.setdefault(soname, path)
    return paths


def package_of(path: str) -> str | None:
    """The Debian package that installed ``path`` (tried as given, resolved and with /usr)."""
    real = os.path.realpath(path)
    for candidate in dict.fromkeys([path, real, real.removeprefix("/usr"), "/usr" + path]):
        proc = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if proc.returncode == 0:
            return proc.stdout.split(":", 1)[0].split(",")[0].strip()
    return None


def depends(bundle: Path) -> str:
    """The Depends line: packages of the libraries the bundle needs and does not carry."""
    elves = elf_files(bundle)
    needed, glibc = linked_libraries(elves)
    carried = {p.name for p in bundle.rglob("*")}
    outside = sorted(needed - carried)
    paths = system_paths()
    absent = [s for s in outside if s not in paths]
    if absent:
        raise BuildError(
            "The app links to libraries this build machine lacks, so their packages cannot be "
            f"named: {', '.join(absent)}; install them and build again."
        )
    packages = {package_of(paths[s]) or "" for s in outside}
    if "" in packages:
        unowned = [s for s in outside if not package_of(paths[s])]
        raise BuildError(f"No Debian package owns {', '.join(unowned)} on this machine.")
    packages.discard("libc6")
    return ", ".join([f"libc6 (>= {glibc})", *sorted(packages)])


def control(bundle: Path, ver: str, arch: str, installed_kib: int) -> str:
    return (
        f"Package: {APP}\n"
        f"Version: {ver}\n"
        f"Architecture: {arch}\n"
        "Maintainer: Consensus Desktop developers <consensus-desktop@users.noreply.github.com>\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {depends(bundle)}\n"
        "Section: misc\n"
        "Priority: optional\n"
        "Description: offline help for a citizens' jury to find a statement all can agree with\n"
        " A facilitator's desktop app: a local language model writes candidate consensus\n"
        " statements from the participants' opinions, a reward model predicts agreement and a\n"
        " social welfare function ranks them (Bakker et al. 2022). Runs with no network.\n"
    )


def stage(bundle: Path, root: Path, ver: str, arch: str) -> None:
    """Lay out the package's files under ``root`` (hard links to the bundle where possible)."""
    target = root / PREFIX
    link_tree(bundle, target)
    (root / "usr/bin").mkdir(parents=True)
    (root / "usr/bin" / APP).symlink_to(f"/{PREFIX}/{APP}")
    share = root / "usr/share"
    for src, dst in (
        (LINUX / f"{APP}.desktop", share / "applications" / f"{APP}.desktop"),
        (LINUX / f"{APP}.svg", share / "icons/hicolor/scalable/apps" / f"{APP}.svg"),
        (LINUX / f"{APP}-mime.xml", share / "mime/packages" / f"{APP}.xml"),
    ):
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    (root / "DEBIAN").mkdir()
    write_text(root / "DEBIAN/control", control(bundle, ver, arch, size // 1024 + 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=BUNDLE, help="the PyInstaller folder")
    parser.add_argument("--out", type=Path, default=OUT, help="where the .deb is written")
    parser.add_argument("--compression", choices=("xz", "gzip", "zstd"), default="gzip")
    args = parser.parse_args()
    need_os("linux")
    need_bundle(args.bundle)
    need_tools("dpkg-deb", "dpkg", "objdump", "ldconfig")
    ver, arch = version(), this_arch()
    deb_arch = {"x86_64": "amd64", "arm64": "arm64"}[arch]
    args.out.mkdir(parents=True, exist_ok=True)
    final = args.out / installer_name("linux", arch, "deb", ver)
    with tempfile.TemporaryDirectory(prefix="deb-", dir=args.out) as tmp:
        root = Path(tmp) / "root"
        stage(args.bundle, root, ver, deb_arch)
        print((root / "DEBIAN/control").read_text(), end="")
        partial = Path(tmp) / final.name
        run(["dpkg-deb", "--root-owner-group", f"-Z{args.compression}", "--build", root, partial])
        os.replace(partial, final)
    print(f"{final} ({final.stat().st_size / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main_guard(main))
