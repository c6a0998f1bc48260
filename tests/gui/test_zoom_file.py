"""The remembered zoom is written through the one safe writer: the whole file, nothing left over."""

from __future__ import annotations

import json

from consensus_desktop import paths
from consensus_desktop.gui.style import load_zoom, step_zoom


def test_zoom_is_remembered_in_a_whole_file(window) -> None:  # type: ignore[no-untyped-def]
    level = step_zoom(window, 1)
    saved = paths.config_dir() / "gui.json"
    assert json.loads(saved.read_text(encoding="utf-8")) == {"zoom": level}
    assert [p.name for p in saved.parent.iterdir() if p.name.startswith(".")] == []
    assert load_zoom() == level
    step_zoom(window, 0)
