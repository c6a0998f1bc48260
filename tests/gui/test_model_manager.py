from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QFileDialog

from consensus_desktop.gui.worker import running_threads


def wait_idle(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: dialog.job.worker is None, timeout=10_000)


def test_import_from_usb_stick_and_refuse_a_bad_file(
    window, qtbot, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from drive import button, click, click_row, fill

    from consensus_desktop import paths
    from consensus_desktop.gui.model_manager import ModelManager

    dialog = ModelManager(window.ctx.engine, window)
    dialog.show()
    picked: list[str] = []  # the open dialog's answers, in turn
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (picked.pop(0), ""))
    import_button = button(dialog, "Import .gguf from disk…")
    stick = tmp_path / "stick"
    stick.mkdir()
    bad = stick / "notes.gguf"
    bad.write_text("not a model")
    picked.append(str(bad))
    click(import_button)
    assert not picked
    assert "not a GGUF" in dialog.status.text()
    assert dialog.job.worker is None
    assert not (paths.models_dir() / "notes.gguf").exists()
    good = stick / "tiny.gguf"
    good.write_bytes(b"GGUF" + (3).to_bytes(4, "little") + bytes(16))
    picked.append(str(good))
    click(import_button)
    assert not picked
    assert dialog.job.worker is not None  # the copy runs on the dialog's worker thread
    wait_idle(qtbot, dialog)
    assert "Imported tiny.gguf" in dialog.status.text()
    assert (paths.models_dir() / "tiny.gguf").exists()
    assert not list(paths.models_dir().glob("*.partial"))
    items = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert any("tiny.gguf — imported" in t for t in items)
    assert any("Gemma 3 270M" in t for t in items)
    chosen: list[tuple[str, int]] = []
    dialog.use_model.connect(lambda p, layers: chosen.append((p, layers)))
    click_row(dialog.list, items.index(next(t for t in items if "tiny.gguf" in t)))
    fill(dialog.gpu_layers, "0")
    click(button(dialog, "Use selected"))
    assert chosen == [(str(paths.models_dir() / "tiny.gguf"), 0)]
    (paths.models_dir() / "tiny.gguf").unlink()


def endless(started: threading.Event) -> Callable[[Callable[[], bool]], Iterator[object]]:
    """A job that runs until it is told to stop, like a long download."""

    def job(should_stop: Callable[[], bool]) -> Iterator[object]:
        started.set()
        while not should_stop():
            QThread.msleep(5)
            yield "working"
        from consensus_desktop.engine.errors import GenerationCancelled

        raise GenerationCancelled

    return job


@pytest.mark.parametrize("how", ["use_selected", "reject", "close", "accept"])
def test_the_worker_stops_however_the_dialog_closes(window, qtbot, how: str) -> None:  # type: ignore[no-untyped-def]
    from drive import button, click, click_row

    from consensus_desktop.gui.model_manager import ModelManager

    dialog = ModelManager(window.ctx.engine, window)
    dialog.show()
    started = threading.Event()
    dialog._start(endless(started), "done", "cancelled")
    qtbot.waitUntil(started.is_set, timeout=5000)
    assert "model-files" in running_threads()
    if how == "use_selected":
        click_row(dialog.list, 0)  # the bundled default model
        click(button(dialog, "Use selected"))
    else:
        getattr(dialog, how)()
    assert "model-files" not in running_threads()
    assert dialog.job.runner is None
