"""A LoRA adapter as llama.cpp loads it (a GGUF file), and the check made before it is loaded.

The format, as llama.cpp's ``llama_adapter_lora_init`` reads it (src/llama-adapter.cpp):

- metadata ``general.type = "adapter"``, ``general.architecture`` equal to the base model's,
  ``adapter.type = "lora"`` and ``adapter.lora.alpha`` (float32);
- for each adapted weight ``W`` of the base (ggml dims ``[n_in, n_out]``) two tensors,
  ``<name>.lora_a`` with dims ``[n_in, r]`` and ``<name>.lora_b`` with dims ``[r, n_out]``; as
  numpy arrays (row-major, dims reversed) ``a`` is ``(r, n_in)`` and ``b`` is ``(n_out, r)``,
  the shapes of PEFT's ``lora_A`` / ``lora_B``. llama.cpp adds ``alpha / r * (b @ a) @ x`` to
  ``W @ x`` (times the user's scale).

We also record the base model the adapter was made for (file name and sha256), so that an
adapter for another model is refused by name before llama.cpp sees it (llama.cpp itself only
compares the architecture and the shapes, and a mismatch there is only a log line).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from consensus_desktop.engine.errors import ModelError, NotAGGUFFile
from consensus_desktop.engine.gguf_header import read_gguf_header
from consensus_desktop.errors import InputError, ModelFileError
from consensus_desktop.model_catalog import verified_sha256
from consensus_desktop.safe_files import atomic_path, check_destination

BASE_FILE_KEY = "consensus_desktop.base_model.file"
BASE_SHA256_KEY = "consensus_desktop.base_model.sha256"
ALIGNMENT = 32
GGUF_VERSION = 3
_F32, _F16 = 0, 1
_UINT32, _FLOAT32, _STRING = 4, 6, 8

Weights = Mapping[str, tuple[NDArray[np.float32], NDArray[np.float32]]]  # name -> (a, b)


class AdapterError(ModelFileError):
    """An adapter that cannot be used with this base model (or at all)."""


@dataclass(frozen=True)
class AdapterInfo:
    path: Path
    architecture: str
    alpha: float
    rank: int
    weights: tuple[str, ...]  # the base tensors it adapts
    base_file: str
    base_sha256: str


def _string(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack("<Q", len(raw)) + raw


def _kv(key: str, value: str | float | int) -> bytes:
    if isinstance(value, str):
        return _string(key) + struct.pack("<I", _STRING) + _string(value)
    if isinstance(value, float):
        return _string(key) + struct.pack("<If", _FLOAT32, value)
    return _string(key) + struct.pack("<II", _UINT32, value)


def write_gguf(target: Path, metadata: Mapping[str, str | float | int], tensors: Weights) -> Path:
    """A GGUF v3 file of float32 tensors ``<name>.lora_a`` / ``<name>.lora_b``, written under a
    temporary name and renamed when complete. No checks: see :func:`write_adapter`."""
    arrays: list[tuple[str, NDArray[np.float32]]] = []
    for name, (a, b) in tensors.items():
        arrays.append((f"{name}.lora_a", np.ascontiguousarray(a, dtype=np.float32)))
        arrays.append((f"{name}.lora_b", np.ascontiguousarray(b, dtype=np.float32)))
    head = b"GGUF" + struct.pack("<IQQ", GGUF_VERSION, len(arrays), len(metadata))
    head += b"".join(_kv(k, v) for k, v in metadata.items())
    offset = 0
    for name, arr in arrays:
        dims = arr.shape[::-1]  # ggml order: the row length first
        head += _string(name) + struct.pack(f"<I{len(dims)}QIQ", len(dims), *dims, _F32, offset)
        offset += -(-arr.nbytes // ALIGNMENT) * ALIGNMENT
    with atomic_path(target) as tmp, tmp.open("wb") as out:
        out.write(head + b"\0" * (-len(head) % ALIGNMENT))
        for _, arr in arrays:
            out.write(arr.tobytes() + b"\0" * (-arr.nbytes % ALIGNMENT))
    return target


def write_adapter(
    target: Path, base: Path, weights: Weights, alpha: float, force: bool = False
) -> Path:
    """Write ``weights`` as a llama.cpp LoRA adapter for the GGUF model ``base``; every weight
    must name a matrix of the base, with ``a`` (r, n_in) and ``b`` (n_out, r)."""
    check_destination(target, force)
    header = read_gguf_header(Path(base))
    if not weights:
        raise InputError("An adapter needs at least one adapted weight.")
    for name, (a, b) in weights.items():
        found = header.tensors.get(name)
        if found is None or len(found[0]) != 2:
            raise InputError(f"{Path(base).name} has no weight matrix named {name!r}.")
        n_in, n_out = found[0]
        if a.ndim != 2 or b.ndim != 2 or a.shape[1] != n_in or b.shape[0] != n_out:
            raise InputError(
                f"{name}: lora_a must be (r, {n_in}) and lora_b ({n_out}, r) for "
                f"{Path(base).name}, not {a.shape} and {b.shape}."
            )
        if a.shape[0] != b.shape[1]:
            raise InputError(f"{name}: lora_a and lora_b have different ranks.")
    metadata: dict[str, str | float | int] = {
        "general.type": "adapter",
        "general.architecture": header.architecture or "",
        "general.name": f"LoRA for {Path(base).name}",
        "adapter.type": "lora",
        "adapter.lora.alpha": float(alpha),
        BASE_FILE_KEY: Path(base).name,
        BASE_SHA256_KEY: verified_sha256(Path(base)),
    }
    return write_gguf(target, metadata, weights)


def check_adapter(adapter: Path, base: Path, base_sha256: str | None = None) -> AdapterInfo:
    """Everything llama.cpp would check, and the base model's identity, before it loads; one
    sentence naming the adapter file when it cannot be used with ``base``."""
    adapter, base = Path(adapter), Path(base)
    name = adapter.name
    if not adapter.is_file():
        raise AdapterError(f"The adapter file {adapter} does not exist.")
    try:
        header = read_gguf_header(adapter)
    except NotAGGUFFile as exc:
        raise AdapterError(f"{name} is not a GGUF file, so not a llama.cpp LoRA adapter.") from exc
    except ModelError as exc:  # cut short or unreadable: the message names the file
        raise AdapterError(str(exc)) from exc
    meta = header.metadata
    if meta.get("general.type") != "adapter" or meta.get("adapter.type") != "lora":
        raise AdapterError(f"{name} is not a LoRA adapter (a GGUF file of type adapter / lora).")
    if header.data_end is None or header.file_size < header.data_end:
        raise AdapterError(f"{name} is damaged: its tensors do not fit in the file.")
    recorded = str(meta.get(BASE_SHA256_KEY, ""))
    base_header = read_gguf_header(base)
    actual = base_sha256 or verified_sha256(base)
    if recorded and recorded != actual:
        made_for = meta.get(BASE_FILE_KEY, "another model")
        raise AdapterError(
            f"{name} was made for {made_for} (sha256 {recorded[:12]}…), not for {base.name} "
            f"(sha256 {actual[:12]}…); use it with its own base model, or train one for this model."
        )
    arch = str(meta.get("general.architecture", ""))
    if arch != base_header.architecture:
        raise AdapterError(
            f"{name} is for the {arch or 'unknown'} architecture, but {base.name} is "
            f"{base_header.architecture}; it cannot be used with this model."
        )
    pairs: dict[str, dict[str, tuple[tuple[int, ...], int]]] = {}
    for tensor, (dims, ttype) in header.tensors.items():
        stem, _, part = tensor.rpartition(".")
        if part not in ("lora_a", "lora_b") or ttype not in (_F32, _F16) or len(dims) != 2:
            raise AdapterError(f"{name} holds a tensor llama.cpp cannot use as LoRA: {tensor!r}.")
        pairs.setdefault(stem, {})[part] = (dims, ttype)
    if not pairs:
        raise AdapterError(f"{name} adapts no weight of the model.")
    ranks = set()
    for stem, parts in pairs.items():
        if set(parts) != {"lora_a", "lora_b"}:
            raise AdapterError(f"{name}: {stem!r} lacks its lora_a or lora_b half.")
        base_tensor = base_header.tensors.get(stem)
        if base_tensor is None:
            raise AdapterError(
                f"{name} adapts {stem!r}, which {base.name} does not have: it was made for "
                "another model."
            )
        if stem.endswith("token_embd.weight"):
            raise AdapterError(f"{name} adapts the token embeddings, which the app does not use.")
        (a_in, a_r), (b_r, b_out) = parts["lora_a"][0], parts["lora_b"][0]
        if (a_in, b_out) != base_tensor[0] or a_r != b_r:
            raise AdapterError(
                f"{name}: the shapes for {stem!r} do not fit {base.name} (it was made for "
                "another model)."
            )
        ranks.add(a_r)
    alpha = meta.get("adapter.lora.alpha", 0.0)
    return AdapterInfo(
        adapter,
        arch,
        float(alpha) if isinstance(alpha, int | float) else 0.0,
        max(ranks),
        tuple(sorted(pairs)),
        str(meta.get(BASE_FILE_KEY, "")),
        recorded,
    )
