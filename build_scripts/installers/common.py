"""What every installer script shares: the version, file names, checksums, one-sentence failures.

Installers are named ``consensus-desktop-<version>-<os>-<arch>.<ext>``, for example
``consensus-desktop-0.1.0-linux-x86_64.AppImage``; ``SHA256SUMS`` beside them lists them all.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = "consensus-desktop"
BUNDLE = ROOT / "dist" / APP  # what build_scripts/build.py makes
OUT = ROOT / "dist" / "installers"
LINUX = Path(__file__).resolve().parent / "linux"  # .desktop entry, icon, MIME type
OSES = ("linux", "windows", "macos")
# what platform.machine() says, as release file names spell it
ARCHES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}


class BuildError(Exception):
    """A build step that cannot go on: its message is one sentence for the person building."""


def version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def this_arch() -> str:
    machine = platform.machine().lower()
    if machine not in ARCHES:
        raise BuildError(f"No release name for this machine's architecture ({machine}).")
    return ARCHES[machine]


def installer_name(os_name: str, arch: str, ext: str, ver: str | None = None) -> str:
    if os_name not in OSES:
        raise BuildError(f"Unknown OS {os_name!r}: one of {', '.join(OSES)}.")
    if arch not in set(ARCHES.values()):
        raise BuildError(f"Unknown architecture {arch!r}: x86_64 or arm64.")
    return f"{APP}-{ver or version()}-{os_name}-{arch}.{ext.lstrip('.')}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_sha256sums(folder: Path) -> Path:
    """``SHA256SUMS`` of every installer in ``folder``, in the format ``sha256sum -c`` reads."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name.startswith(f"{APP}-"))
    if not files:
        raise BuildError(f"No installer in {folder} to list in SHA256SUMS.")
    lines = "".join(f"{sha256_of(p)}  {p.name}\n" for p in files)
    return write_text(folder / "SHA256SUMS", lines)


def write_text(target: Path, text: str) -> Path:
    """Write through a temporary name, then rename: a reader never sees half a file."""
    tmp = target.with_name(f".{target.name}.partial")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return target


def link_tree(src: Path, dst: Path) -> None:
    """Copy a folder as hard links where the file system allows (the bundle is 600 MB)."""

    def link_or_copy(a: str, b: str) -> object:
        try:
            os.link(a, b)
            return b
        except OSError:
            return shutil.copy2(a, b)

    shutil.copytree(src, dst, symlinks=True, copy_function=link_or_copy)


def dispatch(parser: argparse.ArgumentParser) -> int:
    """Run the chosen step (``set_defaults(func=...)``) for the real per-user data folder."""
    args = parser.parse_args()
    os.environ.pop("CONSENSUS_DESKTOP_HOME", None)
    return int(args.func(args))


def need_tools(*names: str) -> None:
    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        raise BuildError(f"This step needs {', '.join(missing)} on PATH; install it first.")


def need_bundle(bundle: Path, exe: str = APP) -> None:
    if not (bundle / exe).is_file():
        raise BuildError(f"No packaged app at {bundle}: run `python build_scripts/build.py` first.")


def need_os(wanted: str) -> None:
    """Refuse, in one sentence, a step that only the named OS can run."""
    here = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    if here != wanted:
        raise BuildError(
            f"This step runs only on {wanted} (this is {here}); the release workflow runs it there."
        )


def run(command: Sequence[str | Path], **kwargs: object) -> None:
    """Run a tool; its failure becomes one sentence naming it (its own output is above)."""
    print("+", " ".join(str(c) for c in command), flush=True)
    proc = subprocess.run([str(c) for c in command], check=False, **kwargs)  # type: ignore[call-overload]
    if proc.returncode != 0:
        raise BuildError(f"{Path(str(command[0])).name} failed (exit {proc.returncode}).")


def self_test_verdict(output: str, backend: str | None = None) -> str:
    """The self-test's last line, if it passed (on ``backend`` when one is named); else a
    BuildError saying what the line said."""
    lines = output.strip().splitlines()
    last = lines[-1] if lines else "(no output)"
    if not last.startswith("SELF-TEST PASSED: backend "):
        raise BuildError(f"The installed app's self-test did not pass: {last}")
    if backend and not last.startswith(f"SELF-TEST PASSED: backend {backend},"):
        raise BuildError(f"The self-test passed, but not on {backend}: {last}")
    return last


def main_guard(main: Callable[[], int]) -> int:
    """Call ``main()``; a BuildError or a bad path is printed as one sentence, exit 2."""
    try:
        return int(main())
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc.strerror or exc} ({exc.filename or 'a file'}).", file=sys.stderr)
        return 2


def check_installed(
    exe: Path, reinstall: Callable[[], None], uninstall: Callable[[], None], backend: str | None
) -> str:
    """The installed app self-tests; installing again and uninstalling keep the user's library.

    Runs on a CI runner: the library is the real per-user one (the fixture "Old session" is put
    there when there is none). Returns the self-test's last line.
    """
    sys.path.insert(0, str(ROOT))
    from consensus_desktop import paths

    library = paths.data_dir() / "library.sqlite"
    if not library.exists():
        paths.ensure_dir(library.parent)
        shutil.copyfile(ROOT / "tests/fixtures/schema_v1.sqlite", library)
    env = {k: v for k, v in os.environ.items() if k != "CONSENSUS_DESKTOP_HOME"}
    env["HF_HUB_OFFLINE"] = "1"
    listed = subprocess.run([exe, "session", "list"], capture_output=True, text=True, env=env)
    if listed.returncode != 0:
        raise BuildError(f"The installed app could not list the library: {listed.stderr.strip()}")
    proc = subprocess.run([exe, "--self-test"], capture_output=True, text=True, env=env)
    print(proc.stdout + proc.stderr)
    verdict = self_test_verdict(proc.stdout, backend)
    before = sha256_of(library)
    for step, action in (("installing again", reinstall), ("uninstalling", uninstall)):
        action()
        if sha256_of(library) != before:
            raise BuildError(f"The user's library changed after {step}.")
    if exe.exists():
        raise BuildError(f"Uninstalling left {exe} behind.")
    return verdict
