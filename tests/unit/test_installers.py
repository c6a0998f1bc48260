"""The installer scripts, the release workflow and the Linux desktop integration files.

The installers themselves are built and installed by `.ci/run` (build_scripts/installers/
check_deb.sh, check_appimage.sh); here: names, checksums, arguments, Depends, the .desktop entry,
the session files' MIME type, actionlint on the workflow, and the self-test's one-line verdict.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_store import make_session

from consensus_desktop.cli.self_test import run_self_test, summary_of
from consensus_desktop.engine.types import ModelInfo
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.store.transfer import SESSION_APPLICATION_ID, export_session

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "build_scripts" / "installers"
LINUX = SCRIPTS / "linux"
sys.path.insert(0, str(SCRIPTS))

import common  # noqa: E402
import make_deb  # noqa: E402

VERSION = common.version()


def tool(name: str) -> str:
    """The tool's path; CI installs it (build-packages.txt), so there a missing one fails."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: .ci/run installs it")
        pytest.skip(f"{name} is not installed")
    return found


def script(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CONSENSUS_DESKTOP_HOME"}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )


def one_sentence(proc: subprocess.CompletedProcess[str], words: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()], proc.stderr
    assert words in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_installer_names_say_os_arch_and_version() -> None:
    assert common.installer_name("linux", "x86_64", "AppImage") == (
        f"consensus-desktop-{VERSION}-linux-x86_64.AppImage"
    )
    assert common.installer_name("macos", "arm64", ".dmg", "1.2.3") == (
        "consensus-desktop-1.2.3-macos-arm64.dmg"
    )
    with pytest.raises(common.BuildError, match="Unknown OS 'win'"):
        common.installer_name("win", "x86_64", "exe")
    with pytest.raises(common.BuildError, match="Unknown architecture 'i386'"):
        common.installer_name("linux", "i386", "deb")


def test_sha256sums_are_what_sha256sum_checks(tmp_path: Path) -> None:
    (tmp_path / f"consensus-desktop-{VERSION}-linux-x86_64.deb").write_bytes(b"deb")
    (tmp_path / f"consensus-desktop-{VERSION}-windows-x86_64.exe").write_bytes(b"exe")
    (tmp_path / "notes.txt").write_text("not an installer")
    proc = script(str(SCRIPTS / "checksums.py"), str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    lines = (tmp_path / "SHA256SUMS").read_text().splitlines()
    assert [line.split("  ")[1] for line in lines] == sorted(
        p.name for p in tmp_path.glob("consensus-desktop-*")
    )
    check = [tool("sha256sum"), "-c", "SHA256SUMS"]
    assert subprocess.run(check, cwd=tmp_path, capture_output=True).returncode == 0
    (tmp_path / f"consensus-desktop-{VERSION}-linux-x86_64.deb").write_bytes(b"tampered")
    assert subprocess.run(check, cwd=tmp_path, capture_output=True).returncode != 0
    one_sentence(script(str(SCRIPTS / "checksums.py"), str(tmp_path / "nope")), "is not a folder")


def test_other_oses_scripts_check_their_arguments_here() -> None:
    if sys.platform != "linux":
        pytest.skip("checks the refusal on Linux")
    one_sentence(script(str(SCRIPTS / "make_windows.py"), "package"), "runs only on windows")
    one_sentence(script(str(SCRIPTS / "make_macos.py"), "check", "x.dmg"), "runs only on macos")
    dry = script(str(SCRIPTS / "make_windows.py"), "package", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"/DAppVersion={VERSION}" in dry.stdout
    assert f"/DOutputName=consensus-desktop-{VERSION}-windows-x86_64 " in dry.stdout
    assert dry.stdout.rstrip().endswith("consensus_desktop.iss")
    metal = script(str(SCRIPTS / "make_macos.py"), "prepare", "--dry-run")
    assert (
        "CMAKE_ARGS=-DGGML_METAL=on" in metal.stdout
        and "--no-binary llama-cpp-python" in metal.stdout
    )
    dmg = script(str(SCRIPTS / "make_macos.py"), "package", "--dry-run")
    assert f"consensus-desktop-{VERSION}-macos-arm64.dmg" in dmg.stdout
    bad = script(str(SCRIPTS / "make_macos.py"), "package", "--arch", "ppc")
    assert bad.returncode == 2 and "invalid choice: 'ppc'" in bad.stderr


def test_make_deb_names_a_missing_bundle(tmp_path: Path) -> None:
    proc = script(str(SCRIPTS / "make_deb.py"), "--bundle", str(tmp_path))
    one_sentence(proc, f"No packaged app at {tmp_path}")


def test_deb_depends_on_the_packages_of_libraries_it_does_not_carry(tmp_path: Path) -> None:
    tool("dpkg")
    tool("objdump")
    shutil.copy("/bin/ls", tmp_path / "consensus-desktop")  # a real ELF: libselinux + libc
    depends = make_deb.depends(tmp_path)
    assert re.fullmatch(r"libc6 \(>= 2\.\d+\), libselinux1", depends), depends
    shutil.copy("/bin/ls", tmp_path / "libselinux.so.1")  # now the bundle carries it
    assert make_deb.depends(tmp_path).startswith("libc6 (>= 2.")
    assert "libselinux1" not in make_deb.depends(tmp_path)


def test_the_desktop_entry_validates_and_names_icon_and_mime_type() -> None:
    desktop = LINUX / "consensus-desktop.desktop"
    proc = subprocess.run([tool("desktop-file-validate"), str(desktop)], capture_output=True)
    assert proc.returncode == 0 and not proc.stdout and not proc.stderr, proc
    entry = dict(line.split("=", 1) for line in desktop.read_text().splitlines() if "=" in line)
    assert entry["Exec"] == "consensus-desktop %f"
    assert (LINUX / f"{entry['Icon']}.svg").is_file()
    mime = (LINUX / "consensus-desktop-mime.xml").read_text()
    assert f'type="{entry["MimeType"].rstrip(";")}"' in mime
    assert f'value="{SESSION_APPLICATION_ID:#x}"' in mime


def test_an_exported_session_has_the_session_mime_type(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "library.sqlite")
    make_session(store, "Exported")
    exported = export_session(store.db, 1, tmp_path / "session.sqlite")
    store.close()
    assert exported.read_bytes()[68:72] == b"CDSE" == SESSION_APPLICATION_ID.to_bytes(4, "big")
    packages = tmp_path / "share" / "mime" / "packages"
    packages.mkdir(parents=True)
    shutil.copy(LINUX / "consensus-desktop-mime.xml", packages / "consensus-desktop.xml")
    subprocess.run([tool("update-mime-database"), str(packages.parent)], check=True)
    env = dict(os.environ, XDG_DATA_DIRS=f"{tmp_path / 'share'}:/usr/share")
    gio = tool("gio")

    def kind(path: Path) -> str:
        proc = subprocess.run(
            [gio, "info", "-a", "standard::content-type", str(path)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return proc.stdout.strip().rsplit(" ", 1)[-1]

    assert kind(exported) == "application/x-consensus-desktop-session"
    assert kind(tmp_path / "library.sqlite") == "application/vnd.sqlite3"  # not every .sqlite


def test_the_release_workflow_passes_actionlint_and_only_calls_scripts() -> None:
    workflow = ROOT / ".github" / "workflows" / "release.yml"
    proc = subprocess.run([tool("actionlint"), str(workflow)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    called = re.findall(r"build_scripts/installers/[\w./-]+", workflow.read_text())
    assert len(called) >= 4 and all((ROOT / c).is_file() for c in called), called
    runners = set(re.findall(r"runner: (\S+)", workflow.read_text()))
    assert runners == {"ubuntu-22.04", "windows-2022", "macos-14"}


def _info(backend: str, layers: int, host: str = "") -> ModelInfo:
    return ModelInfo(None, "m.gguf", "gemma3", "", 1, 1, 1, 1, backend, layers, host=host)


def test_the_self_test_summary_names_backend_and_model() -> None:
    assert summary_of(_info("CPU", 0)) == "backend CPU, model m.gguf"
    assert summary_of(_info("Metal", -1)) == "backend Metal, model m.gguf, all layers offloaded"
    assert summary_of(_info("CUDA", 12)) == "backend CUDA, model m.gguf, 12 layers offloaded"
    assert summary_of(_info("server", 0, "127.0.0.1:8080")).startswith("backend server 127.0.0.1")
    line = "SELF-TEST PASSED: backend CPU, model m.gguf, 3.2 s"
    assert common.self_test_verdict(f"… loading\n{line}\n") == line
    with pytest.raises(common.BuildError, match="not on Metal"):
        common.self_test_verdict(line, "Metal")
    with pytest.raises(common.BuildError, match="did not pass: SELF-TEST FAILED"):
        common.self_test_verdict("SELF-TEST FAILED: backend unknown, 0.1 s: boom")


def test_a_failed_self_test_ends_with_one_line_saying_why(tmp_path: Path) -> None:
    lines: list[str] = []
    assert run_self_test(str(tmp_path / "missing.gguf"), out=lines.append) == 1
    assert lines[-1].startswith("SELF-TEST FAILED: backend unknown (the model did not load), ")
    assert "missing.gguf" in lines[-1] and "\n" not in lines[-1]


@pytest.mark.model
def test_the_self_test_ends_with_backend_model_and_time() -> None:
    from consensus_desktop.engine.local_model import detect_backend

    lines: list[str] = []
    assert run_self_test(out=lines.append) == 0, "\n".join(lines)
    last = lines[-1]
    pattern = (
        r"SELF-TEST PASSED: backend (\w+), model (\S+\.gguf)(, \w+ layers offloaded)?, [\d.]+ s"
    )
    found = re.fullmatch(pattern, last)
    assert found, last
    assert found[1] == detect_backend() and found[2] == "gemma-3-270m-q4_k_m.gguf"


def test_the_appimage_runtime_extracts_runs_and_cleans_up(tmp_path: Path) -> None:
    tool("gcc")
    import make_appimage

    runtime = make_appimage.build_runtime(tmp_path)
    app = tmp_path / "AppDir"
    (app / "sub").mkdir(parents=True)
    apprun = app / "AppRun"
    apprun.write_text('#!/bin/sh\necho "$# [$1] $APPIMAGE"; cat "$APPDIR/link"; exit 7\n')
    apprun.chmod(0o755)
    (app / "sub" / "data.bin").write_bytes(os.urandom(3_000_000))  # several 1 MiB blocks
    (app / "link").symlink_to("sub/data.bin")
    image = tmp_path / "image.squashfs"
    squash = [tool("mksquashfs"), str(app), str(image), "-quiet", "-noappend", "-comp", "zstd"]
    subprocess.run([*squash, "-b", "1M"], check=True, capture_output=True)
    appimage = tmp_path / "t.AppImage"
    appimage.write_bytes(runtime.read_bytes() + image.read_bytes())
    appimage.chmod(0o755)
    assert appimage.read_bytes()[8:11] == b"AI\x02"
    env = dict(os.environ, TMPDIR=str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([str(appimage), *args], capture_output=True, env=env, cwd=tmp_path)

    offset = run("--appimage-offset")
    assert (
        int(offset.stdout) == runtime.stat().st_size == make_appimage.elf_end(runtime.read_bytes())
    )
    for args in (["a b", "c"], ["--appimage-extract-and-run", "a b", "c"]):
        proc = run(*args)
        assert proc.returncode == 7, proc.stderr  # AppRun's own exit code
        head, data = proc.stdout.split(b"\n", 1)
        assert (
            head == f"2 [a b] {appimage}".encode() and data == (app / "sub/data.bin").read_bytes()
        )
        assert not list((tmp_path / "tmp").iterdir())  # the extracted folder is gone
    assert run("--appimage-extract").returncode == 0
    extracted = tmp_path / "squashfs-root"
    assert (extracted / "sub/data.bin").read_bytes() == (app / "sub/data.bin").read_bytes()
    assert os.readlink(extracted / "link") == "sub/data.bin" and os.access(
        extracted / "AppRun", os.X_OK
    )
    bad = run("--appimage-mount")
    assert (
        bad.returncode == 1
        and bad.stderr == b"AppImage: unknown option: --appimage-mount (Invalid argument).\n"
    )
    alone = subprocess.run([str(runtime)], capture_output=True)
    assert alone.returncode == 1 and alone.stderr.count(b"\n") == 1
    assert b"no squashfs image after the runtime" in alone.stderr


def test_a_runtime_built_elsewhere_is_checked_before_use(tmp_path: Path) -> None:
    tool("gcc")
    built = script(str(SCRIPTS / "make_appimage.py"), "--runtime-only", str(tmp_path / "rt"))
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "rt").read_bytes()[8:11] == b"AI\x02"
    tool("mksquashfs")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "consensus-desktop").write_text("#!/bin/sh\n")
    args = ["--bundle", str(bundle), "--out", str(tmp_path / "out"), "--runtime", "/bin/ls"]
    one_sentence(
        script(str(SCRIPTS / "make_appimage.py"), *args), "is not a runtime this script built"
    )
