"""Held-out figures for an adapter: how likely the model finds statements people endorsed.

The validation examples are the scoop-hivemind Polis conversations (never in the training set),
built by the same rule as the training targets. The figure is the mean log-likelihood per token
of each high-consensus comment given its prompt, read through llama.cpp as the app runs the
model (the quantized base, with or without the adapter): higher is better.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from consensus_desktop.errors import InputError
from consensus_desktop.prompts import TEMPLATES
from consensus_desktop.reward.polis_data import load_all, split
from consensus_desktop.run_request import DEFAULT_TEMPLATE
from consensus_desktop.sft.examples import Example
from consensus_desktop.sft.polis_examples import polis_examples
from consensus_desktop.sft.token_examples import TokenizingModel, as_model_sees


class Scorer(Protocol):
    """:class:`~consensus_desktop.engine.engine.Engine`: its model and its log-likelihood."""

    @property
    def model(self) -> TokenizingModel: ...

    def log_likelihood(self, prompt: list[int], completion: list[int]) -> float: ...


@dataclass(frozen=True)
class Validation:
    examples: int
    tokens: int
    mean_log_likelihood: float  # per statement token, natural log

    def to_json(self) -> dict[str, float | int]:
        return {
            "examples": self.examples,
            "tokens": self.tokens,
            "mean_log_likelihood_per_token": round(self.mean_log_likelihood, 4),
        }


def validation_examples(
    polis: Path, seed: int = 0, template: str = DEFAULT_TEMPLATE
) -> list[Example]:
    if not Path(polis).is_dir():
        raise InputError(f"{polis}: no such folder of Polis conversations.")
    _, held_out = split(load_all(Path(polis)))
    found = list(polis_examples(held_out, TEMPLATES[template], seed))
    if not found:
        raise InputError(f"{polis} holds no validation (scoop-hivemind) Polis conversation.")
    return found


def validate(scorer: Scorer, examples: list[Example]) -> Validation:
    total, tokens = 0.0, 0
    for e in examples:
        prompt, completion = as_model_sees(scorer.model, e.prompt, e.completion)
        total += scorer.log_likelihood(prompt, completion)
        tokens += len(completion)
    return Validation(len(examples), tokens, total / max(tokens, 1))


def validate_model(base: Path, adapter: Path | None, examples: list[Example]) -> Validation:
    """``examples`` scored on the GGUF ``base`` (with ``adapter`` when given), loaded for this
    and closed after: the base model and base + adapter are each measured alone."""
    from consensus_desktop.engine.engine import Engine  # llama.cpp only when measuring

    engine = Engine(base, adapter=adapter)
    try:
        return validate(engine, examples)
    finally:
        engine.close()
