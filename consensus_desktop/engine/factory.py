"""The one way to open a model backend: ``open_backend(spec)``.

The core never constructs a backend class itself; it asks here, with a :class:`ModelSpec` (or just
a GGUF path). Importing this module does not import llama.cpp: the local engine is imported when
a local model is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from consensus_desktop.engine.protocol import ModelBackend
from consensus_desktop.engine.server import ServerSpec


@dataclass(frozen=True)
class ModelSpec:
    """Which model to open: a model server (``server``), else the GGUF at ``path`` (None: the
    default model that ships with the app)."""

    path: Path | None = None
    server: ServerSpec | None = None
    n_threads: int | None = None
    n_gpu_layers: int | None = None  # None: every layer on the GPU when llama.cpp has one
    per_sequence_limit: int = 8192
    max_kv_cells: int = 32768
    prompt: str = "auto"  # "auto" (chat template when the GGUF has one), "chat", "completion"
    adapter: Path | None = None  # a LoRA adapter GGUF for the local model's generation


def open_backend(spec: ModelSpec | str | Path | None = None) -> ModelBackend:
    """Open the model ``spec`` names; raises a :class:`~consensus_desktop.engine.errors.ModelError`
    subclass (a :class:`~consensus_desktop.errors.ServerError` for a server), with a sentence a
    facilitator can act on, when it cannot be used."""
    if not isinstance(spec, ModelSpec):
        spec = ModelSpec(path=None if spec is None else Path(spec).expanduser())
    if spec.server is not None:
        from consensus_desktop.engine.server import ServerBackend

        if spec.adapter is not None:
            from consensus_desktop.errors import InputError

            raise InputError("An adapter is for a model on this machine, not for a server.")

        return ServerBackend(spec.server)
    from consensus_desktop.engine.engine import Engine

    if spec.path is None:
        from consensus_desktop.model_catalog import default_model_path

        path = default_model_path()
    else:
        path = spec.path
    if spec.adapter is not None:  # refused by name before llama.cpp loads anything
        from consensus_desktop.engine.adapter_file import check_adapter

        check_adapter(spec.adapter, path)
    return Engine(
        path,
        n_threads=spec.n_threads,
        n_gpu_layers=spec.n_gpu_layers,
        per_sequence_limit=spec.per_sequence_limit,
        max_kv_cells=spec.max_kv_cells,
        prompt=spec.prompt,
        adapter=spec.adapter,
    )
