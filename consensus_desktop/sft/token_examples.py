"""The training set as token ids: read ``sft data``'s JSON lines and tokenize them the way the
engine will see them at generation time.

A base model sees the prompt with its BOS and writes the completion after it. An instruct model
(a GGUF with a chat template) sees the prompt as the engine sends it, a user message in its own
template, and answers with the statement and its end-of-turn token. Prompt and completion are
tokenized apart, not as one text: at generation time the model continues the prompt's own
tokens, so training shows it the same boundary. Loss is taken on the completion's tokens only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from consensus_desktop.errors import InputError
from consensus_desktop.prompts import chat_messages_of


class TokenizingModel(Protocol):
    """What of :class:`~consensus_desktop.engine.local_model.LocalModel` tokenizing needs."""

    chat_template: bytes | None
    add_bos: bool
    parse_special: bool

    def tokenize(self, text: str, add_bos: bool = False) -> list[int]: ...

    def apply_chat_template(self, messages: list[dict[str, str]]) -> str: ...

    def end_of_turn(self) -> int | None: ...


def as_model_sees(
    model: TokenizingModel, prompt: str, completion: str
) -> tuple[list[int], list[int]]:
    """(prompt tokens, completion tokens) as generation presents them to ``model``."""
    chat = model.chat_template is not None
    before = model.parse_special
    try:
        model.parse_special = chat  # the engine's rule: only a chat prompt has control tokens
        text = model.apply_chat_template(chat_messages_of(prompt)) if chat else prompt
        prompt_tokens = model.tokenize(text, add_bos=model.add_bos)  # as the engine does
        model.parse_special = False  # the statement is participants' kind of text: never parsed
        if chat:
            end = model.end_of_turn()
            completion_tokens = model.tokenize(completion.strip()) + (
                [end] if end is not None else []
            )
        else:
            completion_tokens = model.tokenize(completion)
    finally:
        model.parse_special = before
    return prompt_tokens, completion_tokens


@dataclass(frozen=True)
class Row:
    source: str
    prompt: str
    completion: str


@dataclass(frozen=True)
class TokenExample:
    tokens: tuple[int, ...]  # prompt then completion
    n_prompt: int

    @property
    def n_completion(self) -> int:
        return len(self.tokens) - self.n_prompt


@dataclass(frozen=True)
class TrainingSet:
    examples: tuple[TokenExample, ...]
    sources: dict[str, int]  # examples kept, per source
    dropped: int  # examples longer than the token limit
    sha256: str  # of the data file, so a checkpoint is resumed only on the same data

    @property
    def n_tokens(self) -> int:
        return sum(len(e.tokens) for e in self.examples)

    @property
    def n_completion_tokens(self) -> int:
        return sum(e.n_completion for e in self.examples)

    def summary(self) -> str:
        per = ", ".join(f"{n} {s}" for s, n in sorted(self.sources.items()))
        tail = f"; {self.dropped} longer than the limit left out" if self.dropped else ""
        return (
            f"{len(self.examples)} examples ({per}), {self.n_tokens} tokens of which "
            f"{self.n_completion_tokens} are statements{tail}"
        )


def read_rows(path: Path) -> tuple[list[Row], str]:
    """The rows of a data set written by ``sft data``, and the file's sha256; a file that is
    not one gives one sentence naming the first bad line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"--data {path}: no such file.") from None
    except OSError as exc:
        raise InputError(f"--data {path} could not be read: {exc.strerror or exc}.") from None
    rows: list[Row] = []
    for number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            item = None
        if not (
            isinstance(item, dict)
            and isinstance(item.get("prompt"), str)
            and isinstance(item.get("completion"), str)
            and item["prompt"].strip()
            and item["completion"].strip()
        ):
            raise InputError(
                f"{path.name} line {number} is not a training example (a JSON object with "
                "non-empty 'prompt' and 'completion' texts, as `sft data` writes)."
            )
        rows.append(Row(str(item.get("source", "unknown")), item["prompt"], item["completion"]))
    if not rows:
        raise InputError(f"{path.name} holds no training examples: there is nothing to learn.")
    return rows, hashlib.sha256(raw).hexdigest()


def tokenize_rows(
    rows: Sequence[Row], model: TokenizingModel, max_tokens: int, sha256: str = ""
) -> TrainingSet:
    """Token ids for each row; rows longer than ``max_tokens`` in all are left out (counted)."""
    kept: list[TokenExample] = []
    sources: dict[str, int] = {}
    dropped = 0
    for row in rows:
        prompt, completion = as_model_sees(model, row.prompt, row.completion)
        if not completion or len(prompt) + len(completion) > max_tokens:
            dropped += 1
            continue
        kept.append(TokenExample(tuple(prompt + completion), len(prompt)))
        sources[row.source] = sources.get(row.source, 0) + 1
    if not kept:
        raise InputError(
            f"None of the {len(rows)} training examples fits in {max_tokens} tokens; there is "
            "nothing to learn."
        )
    return TrainingSet(tuple(kept), sources, dropped, sha256)
