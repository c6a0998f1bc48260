from __future__ import annotations

from pathlib import Path


def test_import_from_usb_stick_and_refuse_a_bad_file(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from consensus_desktop import paths
    from consensus_desktop.gui.model_manager import ModelManager

    dialog = ModelManager(window.ctx.engine, window)
    stick = tmp_path / "stick"
    stick.mkdir()
    bad = stick / "notes.gguf"
    bad.write_text("not a model")
    dialog.import_file(str(bad))
    assert "not a GGUF" in dialog.status.text()
    assert not (paths.models_dir() / "notes.gguf").exists()
    good = stick / "tiny.gguf"
    good.write_bytes(b"GGUF" + (3).to_bytes(4, "little") + bytes(16))
    dialog.import_file(str(good))
    assert "Imported tiny.gguf" in dialog.status.text()
    assert (paths.models_dir() / "tiny.gguf").exists()
    items = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert any("tiny.gguf — imported" in t for t in items)
    assert any("Gemma 3 270M" in t for t in items)
    chosen: list[tuple[str, int]] = []
    dialog.use_model.connect(lambda p, layers: chosen.append((p, layers)))
    dialog.list.setCurrentRow(items.index(next(t for t in items if "tiny.gguf" in t)))
    dialog.gpu_layers.setValue(0)
    dialog.use_selected()
    assert chosen == [(str(paths.models_dir() / "tiny.gguf"), 0)]
    (paths.models_dir() / "tiny.gguf").unlink()
