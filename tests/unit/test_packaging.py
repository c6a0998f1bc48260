"""A non-editable install ships every subpackage: pyproject lists them explicitly."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_subpackage_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "consensus_desktop").rglob("__init__.py")
    }
    assert found <= listed, f"missing from [tool.setuptools] packages: {sorted(found - listed)}"
    data = config["tool"]["setuptools"]["package-data"]["consensus_desktop.bundled_models"]
    shipped = {p.suffix for p in (ROOT / "models").iterdir() if p.name != "__init__.py"}
    assert all(f"*{suffix}" in data for suffix in shipped), (shipped, data)
