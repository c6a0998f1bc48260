"""What a model backend takes and yields: plain data, importable without llama.cpp.

Every backend (the local llama.cpp engine, an OpenAI-compatible server, the GUI tests' fake) speaks
in these types; see :mod:`consensus_desktop.engine.protocol`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Measured with tests/bench/bench_quality.py (20 Polis sets, default model): at 0.6 with the
# jury-few-shot-v2 prompt, 0.906 of samples became statements against 0.868 at 0.8 and 0.862 at 0.7.
DEFAULT_TEMPERATURE = 0.6


@dataclass(frozen=True)
class SamplingParams:
    max_tokens: int = 60
    temperature: float = DEFAULT_TEMPERATURE
    top_p: float = 0.95
    top_k: int = 40
    seed: int = 1234


# Share of a generation's progress bar for reading the prompt, before the first token is written.
PROMPT_SHARE = 0.1


@dataclass(frozen=True)
class Progress:
    tokens_done: int
    token_budget: int
    # a generation that reports reading its prompt: prompt tokens decoded so far, of all of them
    prompt_done: int = 0
    prompt_tokens: int = 0

    @property
    def fraction(self) -> float:
        """How far along, 0-1: the prompt's share (``PROMPT_SHARE``) and then the tokens', where
        the prompt is reported; else tokens done over the budget."""
        written = min(self.tokens_done / max(self.token_budget, 1), 1.0)
        if not self.prompt_tokens:
            return written
        read = min(self.prompt_done / self.prompt_tokens, 1.0)
        return PROMPT_SHARE * read + (1 - PROMPT_SHARE) * written


@dataclass(frozen=True)
class RawSample:
    index: int  # which sample of this call
    seed: int
    variant: int  # which prompt suffix (opinion order) it read
    text: str  # decoded continuation, cut at the first stop string
    n_tokens: int
    finish_reason: str  # "stop", "eos", "length"


@dataclass(frozen=True)
class Candidate:
    text: str
    seed: int
    order: tuple[int, ...]  # the opinion order of the prompt it read
    n_tokens: int
    finish_reason: str
    raw: str


@dataclass(frozen=True)
class Rejected:
    """A drawn sample that did not become a candidate, and why (kept in the session)."""

    text: str
    reason: str
    seed: int = -1


@dataclass(frozen=True)
class GenerationReport:
    requested: int
    found: int
    attempts: int  # samples drawn, top-ups included
    rounds: int
    tokens: int
    seconds: float

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class ModelInfo:
    """What a backend says about its model, for the status bar and provenance."""

    path: Path | None  # the GGUF file; None for a model on a server
    file_name: str  # the GGUF file name, or the server's model id
    architecture: str
    description: str
    n_params: int
    n_ctx_train: int
    n_embd: int
    n_vocab: int
    backend: str  # "CPU", "CUDA", "Metal", … or "server"
    n_gpu_layers: int
    host: str = ""  # the server's host[:port]; empty for a model on this machine
    adapter: str = ""  # the LoRA adapter file applied to generation; empty for none

    @property
    def label(self) -> str:
        """The model as recorded with a run: the GGUF file, and its adapter if one is applied."""
        return f"{self.file_name} + {self.adapter}" if self.adapter else self.file_name

    @property
    def location(self) -> str:
        """Where the model runs, as stored with every run: "CPU", "CUDA", "server HOST:PORT"."""
        return f"{self.backend} {self.host}" if self.host else self.backend
