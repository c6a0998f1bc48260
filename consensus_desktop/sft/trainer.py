"""LoRA fine-tuning of a GGUF base model on the training set, with torch and transformers
(the ``[train]`` extra, imported only inside the functions that train: the app imports this
module for its types without having torch).

``train`` is a cancellable generator: it yields a ``TrainProgress`` after every example and
returns a ``Trained`` result. Closing it (or an interrupt) writes a checkpoint of the last
finished step, which a later call with ``resume=True`` continues from, on the same base model,
data and settings; the caller deletes it once the adapter is written. The loss is the mean
cross-entropy of the statements' tokens only.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Generator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from consensus_desktop.engine.errors import GenerationCancelled
from consensus_desktop.errors import InputError, ModelFileError
from consensus_desktop.safe_files import atomic_path
from consensus_desktop.sft.token_examples import TokenExample, TrainingSet

if TYPE_CHECKING:
    import torch
    from torch import nn

    from consensus_desktop.sft.lora import LoRALinear

CHECKPOINT_EVERY = 10  # optimizer steps between checkpoints written during a run


@dataclass(frozen=True)
class TrainSettings:
    rank: int = 8
    alpha: float = 16.0
    learning_rate: float = 2e-4
    batch: int = 4  # examples per optimizer step
    epochs: int = 1
    max_steps: int = 0  # 0: every step of ``epochs``
    seed: int = 0
    targets: tuple[str, ...] = ("attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")

    def total_steps(self, n_examples: int) -> int:
        steps = math.ceil(n_examples / self.batch) * self.epochs
        return min(steps, self.max_steps) if self.max_steps > 0 else steps

    def identity(self) -> dict[str, object]:
        """What a checkpoint must share with the run resuming it (max_steps may change)."""
        d = asdict(self)
        d.pop("max_steps")
        d["targets"] = list(self.targets)
        return d


@dataclass(frozen=True)
class TrainProgress:
    step: int  # optimizer steps finished
    total: int
    examples: int  # examples finished in this run
    loss: float  # mean statement-token loss of the latest finished step (nan before one)
    elapsed_s: float
    tokens_per_s: float  # tokens through the model (prompt and statement) per second
    resumed_from: int = 0

    @property
    def eta_s(self) -> float | None:
        done = self.step - self.resumed_from
        if done <= 0:
            return None
        return self.elapsed_s / done * (self.total - self.step)


@dataclass(frozen=True)
class Trained:
    weights: dict[str, tuple[np.ndarray, np.ndarray]]
    alpha: float
    steps: int
    losses: list[float] = field(default_factory=list)  # one per optimizer step, from step 1
    seconds: float = 0.0
    tokens_per_s: float = 0.0


class CheckpointError(InputError):
    """A checkpoint that cannot be resumed here: other base, data or settings, or damaged."""


def checkpoint_path(out: Path) -> Path:
    return Path(out).with_name(Path(out).name + ".checkpoint.npz")


def load_base(base: Path, threads: int) -> nn.Module:
    """The GGUF base model as a float32 transformers model (its loader dequantizes)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local file: never the network
    os.environ.setdefault("TQDM_DISABLE", "1")  # transformers' own bars: the caller reports
    import torch
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # the caller reports progress; no tqdm bars on stderr
    hf_logging.set_verbosity_error()
    torch.set_num_threads(max(1, threads))
    try:
        model = AutoModelForCausalLM.from_pretrained(
            str(base.parent), gguf_file=base.name, dtype=torch.float32
        )
    except (ValueError, KeyError, RuntimeError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelFileError(
            f"{base.name} could not be loaded for training ({first}); training supports the "
            "architectures transformers reads from GGUF, such as gemma3 and llama."
        ) from None
    model.train()
    return model


def _lr(settings: TrainSettings, step: int, total: int) -> float:
    """Linear warm-up over the first tenth (at most 10 steps), then linear decay."""
    warmup = max(1, min(10, total // 10))
    return settings.learning_rate * min(1.0, (step + 1) / warmup) * (1 - step / max(total, 1))


def _order(n: int, settings: TrainSettings, epoch: int) -> np.ndarray:
    return np.random.default_rng([settings.seed, epoch]).permutation(n)


def _batch_at(step: int, n: int, settings: TrainSettings) -> list[int]:
    per_epoch = math.ceil(n / settings.batch)
    epoch, within = divmod(step, per_epoch)
    return _order(n, settings, epoch)[
        within * settings.batch : (within + 1) * settings.batch
    ].tolist()


def train(
    model: nn.Module,
    data: TrainingSet,
    settings: TrainSettings,
    checkpoint: Path,
    identity: dict[str, str],
    resume: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
) -> Generator[TrainProgress, None, Trained]:
    """Fine-tune LoRA weights of ``model`` on ``data``. ``identity`` names the base model and
    data (their sha256s); a checkpoint is written to ``checkpoint`` and resumed only when its
    identity and settings are the same. ``should_stop`` is asked after every example: the
    checkpoint of the last finished step is written and ``GenerationCancelled`` raised."""
    import torch

    from consensus_desktop.sft import lora

    torch.manual_seed(settings.seed)
    wrapped = lora.attach(model, settings.targets, settings.rank, settings.alpha, settings.seed)
    if not wrapped:
        raise ModelFileError(
            "The model has none of the layers LoRA adapts here "
            f"({', '.join(settings.targets)}); it cannot be fine-tuned by this app."
        )
    params = [p for w in wrapped.values() for p in (w.a, w.b)]
    optimizer = torch.optim.AdamW(params, lr=settings.learning_rate, weight_decay=0.0)
    meta = checkpoint_meta(identity, settings)
    total = settings.total_steps(len(data.examples))
    step, losses = 0, list[float]()
    if resume:
        step, losses = _restore(checkpoint, meta, wrapped, optimizer)
        if step >= total:
            raise CheckpointError(
                f"The checkpoint {checkpoint.name} already has {step} steps, as many as this "
                f"run asks for ({total}); ask for more with --max-steps or --epochs."
            )
    first, start, tokens, examples = step, time.perf_counter(), 0, 0
    snapshot = _state(wrapped, optimizer, step, losses, meta)
    try:
        while step < total:
            for group in optimizer.param_groups:
                group["lr"] = _lr(settings, step, total)
            batch = [data.examples[i] for i in _batch_at(step, len(data.examples), settings)]
            n_target = sum(e.n_completion for e in batch)
            step_loss = 0.0
            for example in batch:
                if should_stop():
                    raise GenerationCancelled(f"Training stopped after {step} of {total} steps.")
                loss = _loss(model, example) / n_target
                loss.backward()
                step_loss += float(loss.detach())
                tokens += len(example.tokens)
                examples += 1
                elapsed = time.perf_counter() - start
                yield TrainProgress(
                    step,
                    total,
                    examples,
                    losses[-1] if losses else math.nan,
                    elapsed,
                    tokens / elapsed if elapsed > 0 else 0.0,
                    first,
                )
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            losses.append(step_loss)
            snapshot = _state(wrapped, optimizer, step, losses, meta)
            if step % CHECKPOINT_EVERY == 0 and step < total:
                _save(checkpoint, snapshot)
    except BaseException:
        if step > 0:
            _save(checkpoint, snapshot)  # the last finished step: resumable
        raise
    elapsed = time.perf_counter() - start
    return Trained(
        lora.weights(wrapped),
        settings.alpha,
        step,
        losses,
        elapsed,
        tokens / elapsed if elapsed > 0 else 0.0,
    )


def _loss(model: nn.Module, example: TokenExample) -> torch.Tensor:
    """Summed cross-entropy of the statement's tokens given everything before them."""
    import torch

    ids = torch.tensor([example.tokens], dtype=torch.long)
    keep = example.n_completion + 1  # logits of the last prompt token onwards
    logits = model(input_ids=ids, logits_to_keep=keep).logits[0, :-1]
    targets = ids[0, example.n_prompt :]
    return torch.nn.functional.cross_entropy(logits.float(), targets, reduction="sum")


def _state(
    wrapped: dict[str, LoRALinear],
    optimizer: torch.optim.Optimizer,
    step: int,
    losses: list[float],
    meta: dict[str, Any],
) -> dict[str, np.ndarray]:
    """Everything a resumed run needs, as plain arrays (a checkpoint is never unpickled)."""
    arrays: dict[str, np.ndarray] = {
        "meta": np.array(json.dumps(meta, sort_keys=True)),
        "step": np.array(step),
        "losses": np.array(losses, dtype=np.float64),
    }
    for name, w in wrapped.items():
        for part in ("a", "b"):
            p = getattr(w, part)
            arrays[f"{name}/{part}"] = p.detach().numpy().copy()
            state = optimizer.state.get(p, {})
            if state:
                arrays[f"{name}/{part}/exp_avg"] = state["exp_avg"].numpy().copy()
                arrays[f"{name}/{part}/exp_avg_sq"] = state["exp_avg_sq"].numpy().copy()
                arrays[f"{name}/{part}/step"] = np.array(float(state["step"]))
    return arrays


def _save(target: Path, arrays: dict[str, np.ndarray]) -> None:
    with atomic_path(target) as tmp, tmp.open("wb") as out:
        np.savez(out, **arrays)  # type: ignore[arg-type]  # numbers and text only: no pickles


def checkpoint_meta(identity: dict[str, str], settings: TrainSettings) -> dict[str, Any]:
    return {"identity": identity, "settings": settings.identity()}


def read_checkpoint(checkpoint: Path, meta: dict[str, Any]) -> dict[str, np.ndarray]:
    """A checkpoint's arrays, once it is known to be for this base model, data and settings."""
    if not checkpoint.is_file():
        raise CheckpointError(
            f"There is no checkpoint to resume: {checkpoint.name} does not exist."
        )
    try:
        with np.load(checkpoint, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
        saved = json.loads(str(arrays["meta"]))
        int(arrays["step"])
    except (OSError, ValueError, KeyError, EOFError) as exc:
        raise CheckpointError(f"The checkpoint {checkpoint.name} is damaged ({exc}).") from None
    if saved.get("identity") != meta["identity"]:
        raise CheckpointError(
            f"The checkpoint {checkpoint.name} was made with another base model or data set; "
            "resume with the same files, or start over with --force."
        )
    if saved.get("settings") != meta["settings"]:
        raise CheckpointError(
            f"The checkpoint {checkpoint.name} was made with other training settings "
            f"({saved.get('settings')}); resume with the same ones, or start over with --force."
        )
    return arrays


def _restore(
    checkpoint: Path,
    meta: dict[str, Any],
    wrapped: dict[str, LoRALinear],
    optimizer: torch.optim.Optimizer,
) -> tuple[int, list[float]]:
    import torch

    arrays = read_checkpoint(checkpoint, meta)
    step = int(arrays["step"])
    with torch.no_grad():
        for name, w in wrapped.items():
            for part in ("a", "b"):
                p = getattr(w, part)
                key = f"{name}/{part}"
                if key not in arrays or arrays[key].shape != tuple(p.shape):
                    raise CheckpointError(f"The checkpoint {checkpoint.name} lacks {key}.")
                p.copy_(torch.from_numpy(arrays[key]))
                if f"{key}/exp_avg" in arrays:
                    optimizer.state[p] = {
                        "step": torch.tensor(float(arrays[f"{key}/step"])),
                        "exp_avg": torch.from_numpy(arrays[f"{key}/exp_avg"].copy()),
                        "exp_avg_sq": torch.from_numpy(arrays[f"{key}/exp_avg_sq"].copy()),
                    }
    return step, [float(x) for x in arrays["losses"]]
