"""Build the Linux AppImage from the PyInstaller bundle: one file that runs without installing.

    python build_scripts/installers/make_appimage.py [--bundle DIR] [--out DIR] [--level N]

The file is our runtime (appimage/runtime.c, compiled here: static, reads squashfs with
squashfuse's library) followed by a squashfs image (zstd) of the AppDir: the bundle, AppRun, the
.desktop entry and the icon. The runtime extracts the image to a temporary folder and runs it, so
no FUSE is needed (--appimage-extract-and-run, also its default). Needs gcc, mksquashfs and the
static libraries in linux/build-packages.txt.
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
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
)

RUNTIME_C = Path(__file__).resolve().parent / "appimage" / "runtime.c"
LIBS = ["-lsquashfuse", "-lzstd", "-llzma", "-llz4", "-llzo2", "-lz"]
MAGIC = b"AI\x02"  # at offset 8 of the ELF header: "AppImage, type 2"


def elf_end(data: bytes) -> int:
    """Where an ELF64 file ends: after its section header table (the image starts there)."""
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise BuildError("The runtime is not an ELF64 program.")
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    return int(shoff + shentsize * shnum)


def build_runtime(work: Path) -> Path:
    """Compile the runtime (static) and mark it as an AppImage type-2 runtime."""
    out = work / "runtime"
    run(["gcc", "-O2", "-static", "-s", "-I/usr/include/squashfuse", RUNTIME_C, "-o", out, *LIBS])
    data = bytearray(out.read_bytes())
    if elf_end(bytes(data)) != len(data):
        raise BuildError("The runtime's section headers are not at its end: cannot append.")
    data[8:11] = MAGIC
    out.write_bytes(bytes(data))
    return out


def app_dir(bundle: Path, root: Path) -> None:
    """The AppDir: the bundle (hard links where possible), AppRun, .desktop entry and icon."""
    link_tree(bundle, root)
    (root / "AppRun").symlink_to(APP)  # PyInstaller finds its folder through /proc/self/exe
    shutil.copyfile(LINUX / f"{APP}.desktop", root / f"{APP}.desktop")
    shutil.copyfile(LINUX / f"{APP}.svg", root / f"{APP}.svg")
    (root / ".DirIcon").symlink_to(f"{APP}.svg")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=BUNDLE, help="the PyInstaller folder")
    parser.add_argument("--out", type=Path, default=OUT, help="where the AppImage is written")
    parser.add_argument("--level", type=int, default=15, choices=range(1, 23), metavar="1-22")
    parser.add_argument("--runtime", type=Path, help="a runtime built before (see --runtime-only)")
    parser.add_argument("--runtime-only", type=Path, metavar="FILE", help="only build the runtime")
    args = parser.parse_args()
    need_os("linux")
    if args.runtime_only:  # the runtime is static: it can be built elsewhere (a container)
        need_tools("gcc")
        with tempfile.TemporaryDirectory(prefix="runtime-") as tmp:
            os.replace(build_runtime(Path(tmp)), args.runtime_only)
        return 0
    need_bundle(args.bundle)
    need_tools("mksquashfs", *([] if args.runtime else ["gcc"]))
    final = args.out / installer_name("linux", this_arch(), "AppImage", version())
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="appimage-", dir=args.out) as tmp:
        work = Path(tmp)
        runtime = args.runtime or build_runtime(work)
        head = runtime.read_bytes()[:64]
        if head[8:11] != MAGIC or elf_end(head) != runtime.stat().st_size:
            raise BuildError(f"{runtime} is not a runtime this script built.")
        app_dir(args.bundle, work / "AppDir")
        image = work / "image.squashfs"
        squash: list[str | Path] = [
            "mksquashfs",
            work / "AppDir",
            image,
            "-root-owned",
            "-noappend",
        ]
        run(
            [*squash, "-quiet", "-comp", "zstd", "-Xcompression-level", str(args.level), "-b", "1M"]
        )
        partial = work / final.name
        with partial.open("wb") as f:
            f.write(runtime.read_bytes())
            with image.open("rb") as src:
                shutil.copyfileobj(src, f, 1 << 20)
        partial.chmod(0o755)
        os.replace(partial, final)
    print(f"{final} ({final.stat().st_size / 1e6:.0f} MB, runtime {runtime_size(final)} bytes)")
    return 0


def runtime_size(appimage: Path) -> int:
    with appimage.open("rb") as f:
        return elf_end(f.read(64))


if __name__ == "__main__":
    sys.exit(main_guard(main))
