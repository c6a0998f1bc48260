"""The card written beside an adapter: what it was made from, how, and how it measured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from consensus_desktop.safe_files import write_text
from consensus_desktop.sft.token_examples import TrainingSet
from consensus_desktop.sft.trainer import Trained, TrainSettings


def card_path(adapter: Path) -> Path:
    """``jury.gguf`` -> ``jury.card.json``."""
    return Path(adapter).with_suffix(".card.json")


def build_card(
    base: Path,
    base_sha256: str,
    data_file: Path,
    data: TrainingSet,
    settings: TrainSettings,
    trained: Trained,
    validation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "adapter": "LoRA (llama.cpp adapter GGUF)",
        "base_model": {"file": Path(base).name, "sha256": base_sha256},
        "data": {
            "file": Path(data_file).name,
            "sha256": data.sha256,
            "summary": data.summary(),
            "examples_per_source": data.sources,
            "left_out_too_long": data.dropped,
            "tokens": data.n_tokens,
            "statement_tokens": data.n_completion_tokens,
        },
        "settings": {**settings.identity(), "max_steps": settings.max_steps},
        "steps": trained.steps,
        "seconds": round(trained.seconds, 1),
        "tokens_per_second": round(trained.tokens_per_s, 1),
        "loss_per_step": [round(x, 4) for x in trained.losses],
        "validation": validation
        or {"measured": False, "how": "python tests/bench/bench_sft.py --adapter ADAPTER.gguf"},
    }


def write_card(adapter: Path, card: dict[str, Any]) -> Path:
    return write_text(card_path(adapter), json.dumps(card, indent=2, ensure_ascii=False) + "\n")
