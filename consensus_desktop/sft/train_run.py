"""One training run, from files to files: check everything that can be checked before minutes
of work, tokenize with llama.cpp (as generation will), train, write the adapter and its card.

``training_job`` is the cancellable generator the CLI and the app both drive: it yields a line
of text for each stage and a ``TrainProgress`` after every example, and returns ``TrainOutcome``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

from consensus_desktop.engine.gguf_header import read_gguf_header
from consensus_desktop.errors import InputError
from consensus_desktop.safe_files import check_destination
from consensus_desktop.sft.examples import Example
from consensus_desktop.sft.token_examples import read_rows, tokenize_rows
from consensus_desktop.sft.validation import validate_model, validation_examples

TRAIN_PACKAGES = ("torch", "transformers", "gguf", "accelerate")


@dataclass(frozen=True)
class TrainRequest:
    data: Path
    out: Path
    base: Path | None = None  # None: the app's default model
    max_steps: int = 0
    epochs: int = 1
    seed: int = 0
    rank: int = 8
    learning_rate: float = 2e-4
    batch: int = 4
    max_tokens: int = 1024
    threads: int | None = None
    resume: bool = False
    force: bool = False
    validation: Path | None = None  # a Polis folder: measure on its held-out conversations


@dataclass(frozen=True)
class TrainOutcome:
    adapter: Path
    card: Path
    steps: int
    seconds: float
    tokens_per_s: float
    first_loss: float
    last_loss: float

    def __str__(self) -> str:
        return (
            f"Wrote {self.adapter} and {self.card.name}: {self.steps} steps in "
            f"{self.seconds / 60:.1f} min ({self.tokens_per_s:.0f} tokens/s), statement loss "
            f"{self.first_loss:.3f} at the first step, {self.last_loss:.3f} at the last."
        )


def missing_packages() -> list[str]:
    return [name for name in TRAIN_PACKAGES if importlib.util.find_spec(name) is None]


def check_request(request: TrainRequest) -> Path:
    """Every refusal that needs no model: one sentence, before anything is loaded. Returns the
    base model's path."""
    from consensus_desktop.model_catalog import default_model_path
    from consensus_desktop.sft.card import card_path
    from consensus_desktop.sft.trainer import checkpoint_path

    for name, value, low in (
        ("--max-steps", request.max_steps, 0),
        ("--epochs", request.epochs, 1),
        ("--rank", request.rank, 1),
        ("--batch", request.batch, 1),
        ("--max-tokens", request.max_tokens, 16),
    ):
        if value < low:
            raise InputError(f"{name} must be at least {low}, not {value}.")
    if not 0 < request.learning_rate < 1:
        raise InputError(f"--learning-rate must be between 0 and 1, not {request.learning_rate}.")
    base = Path(request.base) if request.base is not None else Path(default_model_path())
    read_gguf_header(base)  # a missing or damaged base model: its own sentence
    checkpoint = checkpoint_path(request.out)
    if request.resume and not checkpoint.is_file():
        raise InputError(
            f"--resume: there is no checkpoint {checkpoint.name} beside {request.out.name}."
        )
    if not request.resume and checkpoint.is_file() and not request.force:
        raise InputError(
            f"{checkpoint.name} holds an unfinished run: continue it with --resume, or start "
            "over with --force."
        )
    check_destination(request.out, request.force)
    check_destination(card_path(request.out), request.force)
    missing = missing_packages()
    if missing:
        raise InputError(
            f"Training needs {', '.join(missing)}, which are not installed: "
            "pip install 'consensus_desktop[train]'."
        )
    return base


def training_job(
    request: TrainRequest, should_stop: Callable[[], bool] = lambda: False
) -> Generator[object, None, TrainOutcome]:
    from consensus_desktop.engine.adapter_file import write_adapter
    from consensus_desktop.engine.local_model import LocalModel, default_threads
    from consensus_desktop.model_catalog import verified_sha256
    from consensus_desktop.sft import card, trainer
    from consensus_desktop.sft.lora import weights_summary

    base = check_request(request)
    rows, data_sha = read_rows(request.data)
    held_out = validation_examples(request.validation) if request.validation else None
    yield f"Tokenizing {len(rows)} examples with {base.name}'s tokenizer"
    model = LocalModel(base)
    try:
        data = tokenize_rows(rows, model, request.max_tokens, data_sha)
    finally:
        model.close()
    yield f"Training set: {data.summary()}"
    base_sha = verified_sha256(base)
    settings = trainer.TrainSettings(
        rank=request.rank,
        alpha=2.0 * request.rank,
        learning_rate=request.learning_rate,
        batch=request.batch,
        epochs=request.epochs,
        max_steps=request.max_steps,
        seed=request.seed,
    )
    identity = {"base_sha256": base_sha, "data_sha256": data_sha}
    checkpoint = trainer.checkpoint_path(request.out)
    if request.resume:  # a checkpoint for other files or settings: refused before the model loads
        trainer.read_checkpoint(checkpoint, trainer.checkpoint_meta(identity, settings))
    else:  # --force over an unfinished run (check_request refused it otherwise): start over
        checkpoint.unlink(missing_ok=True)
    yield f"Loading {base.name} for training (dequantized to float32)"
    torch_model = trainer.load_base(base, request.threads or default_threads())
    trained = yield from trainer.train(
        torch_model,
        data,
        settings,
        checkpoint,
        identity,
        request.resume,
        should_stop,
    )
    del torch_model  # a gigabyte of float32 weights, not needed from here on
    weights = trained.weights
    yield f"Writing the adapter: {weights_summary(weights)}"
    adapter = write_adapter(request.out, base, weights, trained.alpha, request.force)
    measured = None
    if held_out is not None:
        measured = yield from _validate(base, adapter, held_out)
    written = card.write_card(
        adapter, card.build_card(base, base_sha, request.data, data, settings, trained, measured)
    )
    checkpoint.unlink(missing_ok=True)  # the adapter is complete: nothing left to resume
    return TrainOutcome(
        adapter,
        written,
        trained.steps,
        trained.seconds,
        trained.tokens_per_s,
        trained.losses[0] if trained.losses else float("nan"),
        trained.losses[-1] if trained.losses else float("nan"),
    )


def _validate(
    base: Path, adapter: Path, examples: list[Example]
) -> Generator[str, None, dict[str, object]]:
    found: dict[str, object] = {"conversations": "Polis scoop-hivemind (held out)"}
    for label, with_adapter in (("base", None), ("adapter", adapter)):
        yield f"Validating the {label} model on {len(examples)} held-out statements"
        found[label] = validate_model(base, with_adapter, examples).to_json()
    return found


def describe_progress(p: object) -> str:
    from consensus_desktop.sft.trainer import TrainProgress

    if not isinstance(p, TrainProgress):
        return str(p)
    loss = "" if p.loss != p.loss else f" · loss {p.loss:.3f}"  # nan before the first step
    eta = p.eta_s
    left = "" if eta is None else f" · {_duration(eta)} left"
    return (
        f"step {p.step}/{p.total}{loss} · {p.tokens_per_s:.0f} tokens/s · "
        f"{_duration(p.elapsed_s)} so far{left}"
    )


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 90:
        return f"{seconds} s"
    return (
        f"{seconds // 60} min {seconds % 60:02d} s" if seconds < 3600 else f"{seconds / 3600:.1f} h"
    )
