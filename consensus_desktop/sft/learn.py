"""The app's "Learn from past sessions": the sessions' best-rated statements become a data set
and an adapter for the model in use, both in the adapters folder, under names never used before.

One cancellable job (a generator of status lines and ``TrainProgress``), ending with the
``TrainOutcome``, so the GUI's worker receives it as its last item.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from consensus_desktop import paths
from consensus_desktop.sft.data import build_data_set, write_data_set
from consensus_desktop.sft.train_run import TrainRequest, training_job

_SUFFIXES = (".gguf", ".card.json", ".jsonl", ".gguf.checkpoint.npz")


def adapters_folder() -> Path:
    return paths.ensure_dir(paths.adapters_dir())


def fresh_name(folder: Path, stem: str) -> Path:
    """``stem.gguf``, or ``stem-2.gguf``…: a name no adapter, card, data set or checkpoint has."""
    for n in range(1, 1000):
        name = stem if n == 1 else f"{stem}-{n}"
        if not any((folder / f"{name}{s}").exists() for s in _SUFFIXES):
            return folder / f"{name}.gguf"
    raise FileExistsError(folder / stem)


def learn_from_sessions(
    sessions: Sequence[Path], base: Path, should_stop: Callable[[], bool] = lambda: False
) -> Iterator[object]:
    folder = adapters_folder()
    out = fresh_name(folder, f"{base.stem}-sessions-{time.strftime('%Y%m%d')}")
    yield f"Reading {len(sessions)} session file(s)"
    data = build_data_set(None, sessions)
    data_file = write_data_set(data, out.with_suffix(".jsonl"))
    yield data.summary()
    # A few rooms give a few examples: pass over them several times (at most 10), ~20 steps.
    epochs = min(10, max(1, math.ceil(80 / len(data.examples))))
    request = TrainRequest(data=data_file, out=out, base=base, epochs=epochs)
    outcome = yield from training_job(request, should_stop)
    yield outcome
