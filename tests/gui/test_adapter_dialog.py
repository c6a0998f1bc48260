"""Models → Adapters…: adapters for the model in use are listed and chosen, others refused with
the reason, and "Learn from past sessions" shows progress, finishes, or stops when cancelled."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from drive import click, click_row
from PySide6.QtCore import Qt, QThread
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from consensus_desktop.engine.adapter_file import write_adapter, write_gguf
from consensus_desktop.engine.errors import GenerationCancelled
from consensus_desktop.engine.gguf_header import read_gguf_header
from consensus_desktop.gui.worker import running_threads
from consensus_desktop.sft.learn import adapters_folder
from consensus_desktop.sft.train_run import TrainOutcome
from consensus_desktop.sft.trainer import TrainProgress


def small_adapter(base: Path, target: Path) -> Path:
    n_in, n_out = read_gguf_header(base).tensors["blk.0.attn_v.weight"][0]
    rng = np.random.default_rng(0)
    a = rng.normal(0, 0.01, (4, n_in)).astype(np.float32)
    b = rng.normal(0, 0.01, (n_out, 4)).astype(np.float32)
    return write_adapter(target, base, {"blk.0.attn_v.weight": (a, b)}, 8.0)


def other_models_adapter(target: Path) -> Path:
    meta = {"general.type": "adapter", "general.architecture": "llama", "adapter.type": "lora",
            "adapter.lora.alpha": 8.0}  # fmt: skip
    a, b = np.zeros((4, 576), np.float32), np.zeros((576, 4), np.float32)
    return write_gguf(target, meta, {"blk.0.attn_q.weight": (a, b)})


def items(dialog) -> list[str]:  # type: ignore[no-untyped-def]
    return [dialog.list.item(i).text() for i in range(dialog.list.count())]


def test_adapters_that_fit_are_chosen_and_others_refused(
    window, qtbot, default_model_path: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from consensus_desktop.gui.adapter_dialog import AdapterDialog

    monkeypatch.setenv("CONSENSUS_DESKTOP_HOME", str(tmp_path / "home"))  # an empty adapters/
    folder = adapters_folder()
    dialog = AdapterDialog(default_model_path, "gemma", window)
    dialog.show()
    dialog.activateWindow()  # as exec() makes it: the window's own keys, not the main window's
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    assert items(dialog) == [
        "No adapters yet: learn one from past sessions, or add an adapter file."
    ]
    outside = tmp_path / "usb"
    outside.mkdir()
    picked: list[str] = []  # the open dialog's answers, in turn
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (picked.pop(0), ""))

    def add(path: Path) -> None:  # Add adapter file…, the file picked in the open dialog
        picked.append(str(path))
        click(dialog.buttons["add"])
        assert not picked

    good = small_adapter(default_model_path, outside / "jury.gguf")
    add(good)
    assert dialog.status.text() == "Added jury.gguf."
    add(good)
    assert "already exists" in dialog.status.text()
    other = other_models_adapter(outside / "smol.gguf")
    add(other)
    assert "smol.gguf" in dialog.status.text() and not (folder / "smol.gguf").exists()
    other_models_adapter(folder / "copied-by-hand.gguf")  # put there outside the app
    dialog.refresh()  # no button: the app refreshes the list itself (on opening, after a change)
    texts = items(dialog)
    assert texts[1].startswith("jury.gguf — no card")
    assert texts[0].startswith("copied-by-hand.gguf — ") and "llama" in texts[0]
    chosen: list[object] = []
    dialog.use_adapter.connect(chosen.append)
    click_row(dialog.list, 0)
    click(dialog.buttons["use"])
    assert chosen == [] and "Choose an adapter made for the model in use" in dialog.status.text()
    click_row(dialog.list, 1)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)  # keyboard first: Enter uses the selection
    assert chosen == [folder / "jury.gguf"] and dialog.job.worker is None
    server = AdapterDialog(None, "a server", window)
    assert not server.buttons["use"].isEnabled() and not server.buttons["learn"].isEnabled()


def fake_training(
    started: threading.Event, steps: int
) -> Callable[[Callable[[], bool]], Iterator[object]]:
    """The learning job's events (status lines, progress, the outcome), as the real job yields
    them; stops like it when asked."""

    def job(should_stop: Callable[[], bool]) -> Iterator[object]:
        yield "Reading 2 session file(s)"
        started.set()
        for step in range(steps):
            if should_stop():
                raise GenerationCancelled(f"Training stopped after {step} of {steps} steps.")
            QThread.msleep(20)
            yield TrainProgress(
                step, steps, step + 1, math.nan if step == 0 else 3.2, step + 1.0, 250.0
            )
        yield TrainOutcome(Path("/adapters/x.gguf"), Path("/adapters/x.card.json"), steps, 60.0,
                           250.0, 3.9, 3.1)  # fmt: skip

    return job


def learn(dialog, monkeypatch, sessions: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Learn from past sessions…, the session files picked in the open dialog."""
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: (sessions, ""))
    click(dialog.buttons["learn"])


def test_learning_shows_progress_and_finishes(
    window, qtbot, default_model_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from consensus_desktop.gui.adapter_dialog import AdapterDialog

    started = threading.Event()
    dialog = AdapterDialog(default_model_path, "gemma", window, learn=fake_training(started, 5))
    dialog.show()
    seen: list[str] = []
    learn(dialog, monkeypatch, ["a.sqlite", "b.sqlite"])
    dialog.job.worker.item.connect(lambda _i: seen.append(dialog.status.text()))  # type: ignore[union-attr]
    assert dialog.buttons["cancel"].isEnabled() and not dialog.buttons["learn"].isEnabled()
    qtbot.waitUntil(lambda: dialog.job.worker is None, timeout=10_000)
    assert dialog.status.text().startswith("Wrote /adapters/x.gguf and x.card.json: 5 steps")
    assert any(t.startswith("step 3/5 · loss 3.200 · 250 tokens/s") for t in seen), seen
    assert not dialog.buttons["cancel"].isEnabled() and dialog.buttons["learn"].isEnabled()
    dialog.accept()


def test_cancel_and_closing_stop_the_training(
    window, qtbot, default_model_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from consensus_desktop.gui.adapter_dialog import AdapterDialog

    started = threading.Event()
    dialog = AdapterDialog(
        default_model_path, "gemma", window, learn=fake_training(started, 10_000)
    )
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    learn(dialog, monkeypatch, ["a.sqlite"])
    qtbot.waitUntil(started.is_set, timeout=5000)
    click(dialog.buttons["cancel"])
    qtbot.waitUntil(lambda: dialog.job.worker is None, timeout=10_000)
    assert dialog.status.text().startswith("Training cancelled; the finished steps are kept")
    started.clear()
    learn(dialog, monkeypatch, ["a.sqlite"])
    qtbot.waitUntil(started.is_set, timeout=5000)
    assert "training" in running_threads()
    QTest.keyClick(dialog, Qt.Key.Key_Escape)  # Esc: the thread does not outlive the dialog
    assert not dialog.isVisible()
    assert "training" not in running_threads() and dialog.job.runner is None
