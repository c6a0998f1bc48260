"""The core must not import Qt, nor llama.cpp outside the local engine: import every non-GUI module
with the forbidden packages made unimportable."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import consensus_desktop

# The only modules that may import llama_cpp: the local engine behind the backend protocol.
LLAMA_CPP_MODULES = {
    "consensus_desktop.engine.batch_generate",
    "consensus_desktop.engine.device_top_k",
    "consensus_desktop.engine.embedder",
    "consensus_desktop.engine.engine",
    "consensus_desktop.engine.llama_log",
    "consensus_desktop.engine.local_model",
    "consensus_desktop.engine.token_batch",
}
# The only module that imports torch when imported: LoRA layers, used by `sft train` alone (the
# [train] extra; the app and its bundle never have torch).
TORCH_MODULES = {"consensus_desktop.sft.lora"}
TRAIN_PACKAGES = {"torch", "transformers", "accelerate", "gguf"}


def _core_modules() -> list[str]:
    root = Path(consensus_desktop.__file__).parent
    modules = sorted(
        "consensus_desktop." + ".".join(p.relative_to(root).with_suffix("").parts)
        for p in root.rglob("*.py")
        if "gui" not in p.relative_to(root).parts and p.name != "__main__.py"
    )
    return [m.removesuffix(".__init__") for m in modules]


def _import_blocking(modules: list[str], blocked: set[str]) -> subprocess.CompletedProcess[str]:
    code = textwrap.dedent(
        f"""
        import importlib, sys
        BLOCKED = {sorted(blocked)!r}
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in BLOCKED:
                    raise ImportError("not allowed in the core: " + name)
        sys.meta_path.insert(0, Block())
        for m in {modules!r}:
            importlib.import_module(m)
        assert not any(k.split(".")[0] in BLOCKED for k in sys.modules)
        print(len({modules!r}))
        """
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_core_imports_without_qt() -> None:
    modules = [m for m in _core_modules() if m not in TORCH_MODULES]
    proc = _import_blocking(modules, {"PySide6", "shiboken6", "PyQt5", "PyQt6"})
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.strip()) > 20


def test_core_imports_without_llama_cpp() -> None:
    """Prompts, welfare, store, pipeline, facilitation, rewards, CLI and the backend seam."""
    modules = [m for m in _core_modules() if m not in LLAMA_CPP_MODULES | TORCH_MODULES]
    for needed in (
        "pipeline",
        "session.facilitation",
        "reward.base",
        "engine.protocol",
        "session.recording",
    ):
        assert f"consensus_desktop.{needed}" in modules
    proc = _import_blocking(modules, {"llama_cpp"})
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.strip()) > 20


def test_everything_but_lora_layers_imports_without_the_training_extra() -> None:
    """The whole app, GUI included, and `sft train`'s own checks import without torch."""
    root = Path(consensus_desktop.__file__).parent
    gui = sorted(
        "consensus_desktop." + ".".join(p.relative_to(root).with_suffix("").parts)
        for p in (root / "gui").rglob("*.py")
    )
    modules = [m for m in _core_modules() if m not in TORCH_MODULES] + [
        m.removesuffix(".__init__") for m in gui
    ]
    assert "consensus_desktop.sft.train_run" in modules
    proc = _import_blocking(modules, TRAIN_PACKAGES)
    assert proc.returncode == 0, proc.stderr
