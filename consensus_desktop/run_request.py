"""What a run is asked for: the question, the opinions and every setting, checked before any model
work starts (each bad value gets one sentence)."""

from __future__ import annotations

from dataclasses import dataclass

from consensus_desktop.engine.types import DEFAULT_TEMPERATURE, SamplingParams
from consensus_desktop.errors import InputError
from consensus_desktop.labels import label_problem
from consensus_desktop.prompts import TEMPLATES, require_text

DEFAULT_TEMPLATE = "jury-few-shot-v2"
MAX_CANDIDATES = 256  # llama.cpp decodes at most 256 sequences together (LLAMA_MAX_SEQ)
MIN_STATEMENT_TOKENS = 8  # a statement needs a few words (engine.cleaning.MIN_WORDS) and an end


def _number(value: float) -> str:
    """A bound as a person reads it: 2147483647, not 2.14748e+09."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _check_range(what: str, value: float, low: float, high: float) -> None:
    if not (low <= value <= high):  # also refuses nan
        raise InputError(f"{what} must be from {_number(low)} to {_number(high)}, not {value:g}.")


@dataclass(frozen=True)
class RunRequest:
    question: str
    opinions: tuple[str, ...]
    names: tuple[str, ...] = ()
    n: int = 16
    alpha: float = 0.0
    seed: int = 1234
    template: str = DEFAULT_TEMPLATE
    max_tokens: int = 60
    temperature: float = DEFAULT_TEMPERATURE
    top_p: float = 0.95
    top_k: int = 40
    n_orders: int | None = None  # None: one rotation per participant (see engine/__init__.py)
    # critique round: the statement the room critiqued and each participant's critique
    previous_statement: str = ""
    critiques: tuple[str, ...] = ()
    shortlist_k: int = 4  # statements the room rates
    # a regeneration: the round's statements written before, never written again and shortlisted
    # together with the new ones (so "write more" can only add to what the room may rate)
    earlier: tuple[str, ...] = ()
    # the position statement each participant rated before writing, and those ratings (1-7)
    position: str = ""
    baselines: tuple[float, ...] = ()
    # a plenary: the prompt's opinions are the tables' statements, but agreement is predicted for
    # every member of every table from their own opinion, shifted by their own offset
    raters: tuple[str, ...] = ()
    rater_names: tuple[str, ...] = ()
    rater_offsets: tuple[float, ...] = ()

    def rated_by(self) -> tuple[str, ...]:
        """Names of the people whose agreement is predicted, in column order."""
        if not self.raters:
            return self.participant_names()
        if len(self.rater_names) != len(self.raters) or (
            self.rater_offsets and len(self.rater_offsets) != len(self.raters)
        ):
            raise InputError("Give one name (and one offset, or none) per rater.")
        return self.rater_names

    def participant_names(self) -> tuple[str, ...]:
        if self.names:
            if len(self.names) != len(self.opinions):
                raise InputError(
                    f"Give one name per opinion, or none: {len(self.names)} names for "
                    f"{len(self.opinions)} opinions."
                )
            return self.names
        return tuple(f"P{i + 1}" for i in range(len(self.opinions)))

    def example_statements(self) -> tuple[str, ...]:
        """The few-shot examples' consensus statements the prompt shows the model."""
        if self.previous_statement or self.template not in TEMPLATES:
            return ()
        return tuple(ex.consensus for ex in TEMPLATES[self.template].examples)

    def validate(self) -> None:
        """Refuse, with one sentence naming the field, anything the model work would trip on."""
        self.validate_settings()
        self._validate_texts()

    def validate_settings(self) -> None:
        """The numbers and the template alone (no text): what a command checks first."""
        _check_range("The number of candidates", self.n, 1, MAX_CANDIDATES)
        _check_range("The token limit per statement", self.max_tokens, MIN_STATEMENT_TOKENS, 4096)
        _check_range("The temperature", self.temperature, 0.0, 5.0)
        _check_range("top-p", self.top_p, 1e-9, 1.0)
        _check_range("top-k", self.top_k, 0, 100_000)
        _check_range("The seed", self.seed, 0, 2**31 - 1)
        if self.n_orders is not None:
            _check_range("The number of opinion orders", self.n_orders, 1, 10_000)
        if not (self.alpha >= 0):  # also refuses nan
            raise InputError(
                f"The welfare alpha must be a number >= 0 (0 utilitarian, 1 Nash, inf Rawlsian), "
                f"not {self.alpha}."
            )
        if self.template not in TEMPLATES and not self.previous_statement:
            raise InputError(
                f"Unknown prompt template {self.template!r}; known: {', '.join(sorted(TEMPLATES))}."
            )
        _check_range("The shortlist size", self.shortlist_k, 1, MAX_CANDIDATES)

    def _validate_texts(self) -> None:
        require_text(self.question, "The question")
        if not self.opinions:
            raise InputError("Give at least one opinion.")
        self.rated_by()
        if self.baselines:
            if len(self.baselines) != len(self.opinions):
                raise InputError("Give one baseline rating per participant, or none.")
            if not self.position.strip():
                raise InputError('Baseline ratings need the "position" statement they rate.')
            for b in self.baselines:
                _check_range("A baseline rating", b, 1, 7)
        names = self.participant_names()
        seen: dict[str, int] = {}
        for i, name in enumerate(names):
            if not name.strip():
                raise InputError(f"Participant {i + 1} has an empty name.")
            if problem := label_problem(name):
                raise InputError(f"The name of participant {i + 1} holds {problem}.")
            key = name.strip().casefold()
            if key in seen:
                raise InputError(
                    f"Participants {seen[key] + 1} and {i + 1} have the same name {name!r}; "
                    "give each a different one."
                )
            seen[key] = i
        for i, opinion in enumerate(self.opinions):
            require_text(opinion, f"The opinion of {names[i]}")

    @property
    def sampling(self) -> SamplingParams:
        return SamplingParams(self.max_tokens, self.temperature, self.top_p, self.top_k, self.seed)
