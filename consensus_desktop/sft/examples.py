"""One training example: the prompt the app would give the model, and what people endorsed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consensus_desktop.prompts import PromptPlan, clean_participant_text


@dataclass(frozen=True)
class Example:
    source: str  # "polis", "session" or "revision"
    template: str  # the prompt template's version
    prompt: str  # the template's text up to and including its footer
    statement: str  # the endorsed statement (cleaned like any participant text)
    origin: str  # where it came from: conversation and comment, or session file and question
    score: float  # group-aware consensus (Polis) or welfare of the room's ratings (1–7)

    @property
    def completion(self) -> str:
        """What the model should write after the prompt: the statement, then the stop the app
        uses (a blank line), as in the template's few-shot examples."""
        return f" {self.statement}\n\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "template": self.template,
            "prompt": self.prompt,
            "completion": self.completion,
            "origin": self.origin,
            "score": round(self.score, 4),
        }


def example(source: str, plan: PromptPlan, statement: str, origin: str, score: float) -> Example:
    return Example(
        source,
        plan.template,
        plan.full_prompt(0),
        clean_participant_text(statement).text,
        origin,
        score,
    )
