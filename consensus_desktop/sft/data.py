"""The fine-tuning set: Polis consensus and rooms' best-rated statements, in the app's prompt.

``build_data_set`` reads the Polis training conversations (never the validation block) and any
session files, and ``write_data_set`` writes one JSON object per line ({"source", "template",
"prompt", "completion", "origin", "score"}) under a temporary name, renamed when complete.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from consensus_desktop.errors import InputError
from consensus_desktop.prompts import TEMPLATES
from consensus_desktop.reward.polis_data import Conversation, load_all, split
from consensus_desktop.run_request import DEFAULT_TEMPLATE
from consensus_desktop.safe_files import check_destination, write_text
from consensus_desktop.sft.examples import Example
from consensus_desktop.sft.polis_examples import polis_examples
from consensus_desktop.sft.session_examples import session_examples

SOURCES = ("polis", "session", "revision")


@dataclass(frozen=True)
class DataSet:
    examples: tuple[Example, ...]
    conversations: tuple[str, ...]  # the Polis conversations read (training block)
    sessions: tuple[str, ...] = field(default=())  # the session files read

    def counts(self) -> dict[str, int]:
        found = Counter(e.source for e in self.examples)
        return {s: found.get(s, 0) for s in SOURCES}

    def summary(self) -> str:
        c = self.counts()
        return (
            f"{len(self.examples)} examples: {c['polis']} from {len(self.conversations)} Polis "
            f"training conversations, {c['session']} best-rated session statements and "
            f"{c['revision']} better-rated revisions from {len(self.sessions)} session file(s)"
        )


def build_data_set(
    polis: Path | None,
    sessions: Sequence[Path] = (),
    seed: int = 0,
    template: str = DEFAULT_TEMPLATE,
) -> DataSet:
    """``polis`` None: the session files alone (the app's "Learn from past sessions")."""
    if polis is None and not sessions:
        raise InputError("Name a folder of Polis conversations or at least one session file.")
    for path in sessions:
        if not Path(path).is_file():
            raise InputError(f"--sessions {path}: no such session file.")
    training: list[Conversation] = []
    if polis is not None:
        polis = Path(polis)
        if not polis.is_dir():
            raise InputError(f"--polis {polis}: no such folder of Polis conversations.")
        training, _validation = split(load_all(polis))  # validation conversations: never read on
        if not training:
            raise InputError(
                f"--polis {polis} holds no Polis training conversation (a folder with "
                "comments.csv that is not one of the scoop-hivemind validation conversations)."
            )
    jury = TEMPLATES[template]
    examples = [*polis_examples(training, jury, seed), *session_examples(sessions, jury)]
    return DataSet(
        tuple(examples),
        tuple(c.name for c in training),
        tuple(Path(p).name for p in sessions),
    )


def write_data_set(data: DataSet, out: Path, force: bool = False) -> Path:
    """Write the set as JSON lines; an empty set or an existing file (without ``force``) is
    refused before anything is written."""
    if not data.examples:
        raise InputError(
            "No training examples: no Polis comment reached the consensus threshold and no "
            "session statement was rated highly enough, so nothing was written."
        )
    check_destination(out, force)
    text = "".join(json.dumps(e.to_json(), ensure_ascii=False) + "\n" for e in data.examples)
    return write_text(out, text)
