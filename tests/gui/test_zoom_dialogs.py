"""Models → Manage models… and Models → Adapters… fit a 1280x800 screen at 150% and 200% zoom
(the dialogs are built when opened, at the zoom then in use). Set ``CONSENSUS_SCREENSHOTS=DIR``
to keep the PNGs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from drive import zoom_to


def snap(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("CONSENSUS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / f"{name}.png"))


@pytest.mark.parametrize("level", [1.5, 2.0])
def test_model_and_adapter_dialogs_fit_at_zoom(window, qtbot, level: float) -> None:  # type: ignore[no-untyped-def]
    from consensus_desktop.gui.adapter_dialog import AdapterDialog
    from consensus_desktop.gui.model_manager import ModelManager

    zoom_to(window, level)
    try:
        for name, dialog in (
            ("models", ModelManager(window.ctx.engine, window)),
            ("adapters", AdapterDialog(Path("model.gguf"), "gemma", window)),
        ):
            dialog.resize(1280, 800)
            dialog.show()
            qtbot.waitExposed(dialog)
            snap(dialog, f"zoom{round(level * 100)}-{name}")
            width = dialog.minimumSizeHint().width()
            print(f"{name} at {round(level * 100)}%: minimum width {width}")
            assert width <= 1280, f"{name} at {level:.0%} needs {width} px"
            dialog.reject()
    finally:
        zoom_to(window, 1.0)
