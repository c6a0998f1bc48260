"""The core must not import Qt: import every non-GUI module with PySide6 made unimportable."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import consensus_desktop


def test_core_imports_without_qt() -> None:
    root = Path(consensus_desktop.__file__).parent
    modules = sorted(
        "consensus_desktop." + ".".join(p.relative_to(root).with_suffix("").parts)
        for p in root.rglob("*.py")
        if "gui" not in p.relative_to(root).parts and p.name != "__main__.py"
    )
    modules = [m.removesuffix(".__init__") for m in modules]
    code = textwrap.dedent(
        f"""
        import importlib, sys
        class BlockQt:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {{"PySide6", "shiboken6", "PyQt5", "PyQt6"}}:
                    raise ImportError("Qt is not allowed in the core: " + name)
        sys.meta_path.insert(0, BlockQt())
        for m in {modules!r}:
            importlib.import_module(m)
        assert not any(k.startswith(("PySide6", "shiboken6")) for k in sys.modules)
        print(len({modules!r}))
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.strip()) > 20
