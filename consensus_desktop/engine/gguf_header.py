"""Just enough of the GGUF format to tell a facilitator *why* a file cannot be loaded.

llama.cpp only says "failed to load model"; reading the header ourselves lets us distinguish a file
that is not GGUF, one cut short (an interrupted copy from a USB stick or download) and a model
architecture this build of llama.cpp does not know.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from consensus_desktop.engine.errors import ModelFileMissing, NotAGGUFFile, TruncatedModelFile

GGUF_MAGIC = b"GGUF"
# GGUF metadata value types -> struct format (strings and arrays handled separately)
_SCALARS = {
    0: "B",
    1: "b",
    2: "H",
    3: "h",
    4: "I",
    5: "i",
    6: "f",
    7: "?",
    10: "Q",
    11: "q",
    12: "d",
}
_STRING, _ARRAY = 8, 9
# bytes per element for ggml tensor types we may meet, as (block size, bytes per block)
_GGML_TYPE_SIZE = {
    0: (1, 4),
    1: (1, 2),
    2: (32, 18),
    3: (32, 20),
    6: (32, 22),
    7: (32, 24),
    8: (32, 34),
    9: (32, 36),
    10: (256, 84),
    11: (256, 110),
    12: (256, 144),
    13: (256, 176),
    14: (256, 210),
    15: (256, 292),
    16: (256, 66),
    17: (256, 74),
    18: (256, 98),
    19: (256, 50),
    20: (32, 18),
    21: (256, 110),
    22: (256, 82),
    23: (256, 136),
    24: (1, 1),
    25: (1, 2),
    26: (1, 4),
    27: (1, 8),
    28: (1, 8),
    29: (256, 56),
    30: (1, 2),
    34: (256, 54),
    35: (256, 66),
    39: (32, 17),
}


@dataclass(frozen=True)
class GGUFInfo:
    version: int
    architecture: str | None
    name: str | None
    n_tensors: int
    data_end: int | None  # byte offset where the last tensor ends, when all tensor types are known
    file_size: int
    metadata: Mapping[str, object] = field(default_factory=dict, repr=False, compare=False)
    # tensor name -> (dims in ggml order: ne[0] is the row length, ggml type)
    tensors: Mapping[str, tuple[tuple[int, ...], int]] = field(
        default_factory=dict, repr=False, compare=False
    )


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> int | float | bool:
        size = struct.calcsize("<" + fmt)
        if self.pos + size > len(self.data):
            raise EOFError
        (value,) = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += size
        return value

    def string(self) -> str:
        n = int(self.take("Q"))
        if self.pos + n > len(self.data):
            raise EOFError
        raw = self.data[self.pos : self.pos + n]
        self.pos += n
        return raw.decode("utf-8", errors="replace")

    def value(self, vtype: int) -> object:
        if vtype == _STRING:
            return self.string()
        if vtype == _ARRAY:
            item_type, count = int(self.take("I")), int(self.take("Q"))
            return [self.value(item_type) for _ in range(count)]
        return self.take(_SCALARS[vtype])


def read_gguf_header(path: Path, max_header_bytes: int = 64 << 20) -> GGUFInfo:
    """Parse the header and tensor table; raise a specific ModelError when the file is unusable."""
    if not path.exists():
        raise ModelFileMissing(
            f"Model file not found: {path}. Check the path, or pick another model in the model "
            "manager."
        )
    if path.is_dir():
        raise NotAGGUFFile(f"{path} is a folder, not a .gguf model file.")
    try:
        file_size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(min(file_size, max_header_bytes))
    except OSError as exc:
        raise ModelFileMissing(f"The model file {path} cannot be read: {exc.strerror}.") from exc
    if head[:4] != GGUF_MAGIC:
        raise NotAGGUFFile(
            f"{path.name} is not a GGUF model file (it does not start with 'GGUF'). The app reads "
            "llama.cpp GGUF models; convert other formats with llama.cpp's convert script."
        )
    reader = _Reader(head)
    meta: dict[str, object] = {}
    tensors: list[tuple[str, list[int], int, int]] = []
    try:
        reader.pos = 4
        version = int(reader.take("I"))
        n_tensors, n_kv = int(reader.take("Q")), int(reader.take("Q"))
        for _ in range(n_kv):
            key = reader.string()
            meta[key] = reader.value(int(reader.take("I")))
        for _ in range(n_tensors):
            tensor_name = reader.string()
            n_dims = int(reader.take("I"))
            dims = [int(reader.take("Q")) for _ in range(n_dims)]
            tensors.append((tensor_name, dims, int(reader.take("I")), int(reader.take("Q"))))
    except (EOFError, KeyError, struct.error, MemoryError) as exc:
        if len(head) < max_header_bytes:
            raise TruncatedModelFile(
                f"{path.name} is cut short ({file_size:,} bytes): its header is incomplete. The copy "
                "or download was probably interrupted; copy or download it again."
            ) from exc
        raise NotAGGUFFile(f"{path.name} has a GGUF header this app cannot read.") from exc
    alignment = int(meta.get("general.alignment", 32))  # type: ignore[call-overload]
    data_start = -(-reader.pos // alignment) * alignment
    data_end: int | None = data_start if tensors else None
    for _, dims, ttype, offset in tensors:
        if ttype not in _GGML_TYPE_SIZE:
            data_end = None
            break
        block, nbytes = _GGML_TYPE_SIZE[ttype]
        n_elem = 1
        for d in dims:
            n_elem *= d
        end = data_start + offset + n_elem // block * nbytes
        data_end = max(data_end or 0, end)
    arch = meta.get("general.architecture")
    name = meta.get("general.name")
    info = GGUFInfo(
        version,
        arch if isinstance(arch, str) else None,
        name if isinstance(name, str) else None,
        n_tensors,
        data_end,
        file_size,
        meta,
        {tensor_name: (tuple(dims), ttype) for tensor_name, dims, ttype, _ in tensors},
    )
    if data_end is not None and file_size < data_end:
        raise TruncatedModelFile(
            f"{path.name} is cut short: {file_size:,} bytes of the {data_end:,} its header "
            "describes. The copy or download was interrupted; copy or download it again."
        )
    return info
