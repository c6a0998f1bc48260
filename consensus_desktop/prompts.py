"""Prompt templates as data, and the sanitiser that keeps participants' text inside its slot.

Every template has a version name; whatever a template produces (candidates, predictions) is stored
with that name so a session can be traced back to the exact wording used.

A prompt is returned as a :class:`PromptPlan`: one shared ``prefix`` (instructions, examples, the
question) and one ``suffix`` per opinion order. The engine decodes the prefix once and shares its KV
cache across all samples; each suffix is decoded once and shared by the samples that use it.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from consensus_desktop.errors import InputError

MAX_OPINION_CHARS = 2000
TRUNCATION_MARK = " […]"

JURY_INTRO = (
    "A citizen's jury was tasked with coming up with consensus opinions on a range of different "
    "questions. Below we present one such question along with the opinions of each individual "
    "citizen followed by their consensus statement."
)
# v2: what a good statement does, said once before the examples (no word about "citizens" or
# "opinions", which small models copy into statements about the room).
GOOD_STATEMENT = (
    " A good consensus statement answers the question directly, in the jury's own words; it says "
    "what everyone can support and how it meets the worries of those who disagree, so that each "
    "of them could endorse it."
)
JURY_FOOTER = "After a good debate, the citizen's jury came to the following consensus view:"
REVISION_FOOTER = (
    "After a good debate, and having heard each citizen's critique of the previous statement, "
    "the citizen's jury came to the following revised consensus view:"
)

# Words that start a structural line in our prompts. In a participant's text they lose the colon.
_STRUCTURAL = re.compile(
    r"\b(opinion|question|consensus|critique|previous consensus statement|revised consensus view)"
    r"\s*[:：]",
    re.IGNORECASE,
)
# Look-alikes of chat-template control tokens (<|im_start|>, <start_of_turn>, [INST], </s>): a
# participant's text must never open or close a turn of a chat prompt.
_CONTROL_TOKEN = re.compile(
    r"<\|[^<>|]{0,40}\|>|</?s>|<(?:start|end)_of_turn>|\[/?INST\]", re.IGNORECASE
)
_FOOTER_PHRASE = re.compile(r"after a good debate", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


class EmptyTextError(InputError):
    """A participant's opinion (or the question) is empty after cleaning."""


@dataclass(frozen=True)
class CleanText:
    text: str
    truncated: bool = False
    neutralised: tuple[str, ...] = ()
    invisible_removed: int = 0  # zero-width, bidi and other format/control characters dropped

    @property
    def changes(self) -> tuple[str, ...]:
        """What cleaning did to the text, in words, for the facilitator's report."""
        said: list[str] = []
        if self.truncated:
            said.append(f"cut to {MAX_OPINION_CHARS:,} characters")
        if self.invisible_removed:
            said.append(f"{self.invisible_removed} invisible character(s) removed")
        said.extend(f"{marker!r} made plain text" for marker in dict.fromkeys(self.neutralised))
        return tuple(said)


def clean_participant_text(raw: str, max_chars: int = MAX_OPINION_CHARS) -> CleanText:
    """Make free text safe to put in one slot of a prompt, visibly.

    - Unicode is NFC-normalised; format characters (zero-width joiners and spaces, bidi overrides)
      are dropped without splitting the word they sit in, other control characters become spaces;
      every run of white space, blank lines included, becomes one space, so the text can never
      open a new line of the prompt.
    - Structural markers ("Opinion:", "Question:", …) lose their colon ("Opinion -"), and the footer
      phrase "After a good debate" is put in quotes, so the model cannot read them as structure.
    - Text over ``max_chars`` is cut at a word boundary and ends with " […]".
    """
    text = unicodedata.normalize("NFC", raw)
    kept: list[str] = []
    invisible = 0
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cf":  # zero-width, bidi: invisible, so dropped inside words
            invisible += 1
        elif category[0] == "C" and ch not in "\n\t\r":
            invisible += 1
            kept.append(" ")
        else:
            kept.append(ch)
    text = "".join(kept)
    text = _WHITESPACE.sub(" ", text).strip()
    neutralised: list[str] = []

    def _drop_colon(match: re.Match[str]) -> str:
        neutralised.append(match.group(0))
        return f"{match.group(1)} -"

    text = _STRUCTURAL.sub(_drop_colon, text)

    def _defuse(match: re.Match[str]) -> str:
        neutralised.append(match.group(0))
        return match.group(0).strip("<>[]|/").replace("|", "")

    text = _CONTROL_TOKEN.sub(_defuse, text)

    def _quote(match: re.Match[str]) -> str:
        neutralised.append(match.group(0))
        return f"“{match.group(0).lower()}”"

    text = _FOOTER_PHRASE.sub(_quote, text)
    truncated = False
    if len(text) > max_chars:
        cut = text[:max_chars]
        space = cut.rfind(" ")
        if space > max_chars * 0.8:
            cut = cut[:space]
        text = cut.rstrip() + TRUNCATION_MARK
        truncated = True
    return CleanText(text, truncated, tuple(neutralised), invisible)


def require_text(raw: str, what: str, max_chars: int = MAX_OPINION_CHARS) -> CleanText:
    cleaned = clean_participant_text(raw, max_chars)
    if not cleaned.text:
        raise EmptyTextError(f"{what} is empty: please write at least a few words.")
    return cleaned


@dataclass(frozen=True)
class PromptPlan:
    """A prompt split for prefix sharing: sample ``i`` reads ``prefix + suffixes[orders_for[i]]``."""

    template: str
    prefix: str
    suffixes: tuple[str, ...]
    orders: tuple[tuple[int, ...], ...]  # participant indices in the order each suffix lists them
    stop: tuple[str, ...] = ("\n\n", "Opinion:", "Question:", "Consensus:")
    chat: bool = False  # the prompt is (or will be rendered as) chat messages, see as_chat

    def full_prompt(self, variant: int = 0) -> str:
        return self.prefix + self.suffixes[variant]


CHAT_MARK = "+chat"
CHAT_INSTRUCTION = (
    "Write only that consensus statement: one short paragraph in the jury's voice, with no "
    "heading, list or preamble."
)


def with_chat_instruction(text: str) -> str:
    """A jury text as an instruct model's user message ends: followed by the instruction."""
    return f"{text}\n\n{CHAT_INSTRUCTION}"


def as_chat(plan: PromptPlan) -> PromptPlan:
    """The same prompt for an instruct model: the jury text, then an instruction, as the user's
    message; the model's chat template (llama.cpp's or the server's) wraps it. The version says
    so (``jury-few-shot-v1+chat``)."""
    if plan.chat:
        return plan
    return replace(
        plan,
        template=plan.template + CHAT_MARK,
        suffixes=tuple(with_chat_instruction(s) for s in plan.suffixes),
        chat=True,
    )


def chat_messages(plan: PromptPlan, variant: int = 0) -> list[dict[str, str]]:
    """The chat messages of one variant of a plan made by :func:`as_chat`."""
    return [{"role": "user", "content": plan.full_prompt(variant)}]


def chat_messages_of(full_prompt: str) -> list[dict[str, str]]:
    """The chat messages :func:`as_chat` and :func:`chat_messages` make of a plain prompt's full
    text (for a prompt kept as text, as in the fine-tuning set)."""
    return [{"role": "user", "content": with_chat_instruction(full_prompt)}]


@dataclass(frozen=True)
class FewShotExample:
    question: str
    opinions: tuple[str, ...]
    consensus: str


# Written for this project (not copied from the paper's data): short, balanced statements that
# acknowledge each side, which is the style a consensus statement should have.
FEW_SHOT_EXAMPLES: tuple[FewShotExample, ...] = (
    FewShotExample(
        question="Should our town build more bike lanes?",
        opinions=(
            "Bike lanes make cycling safer and cut traffic, so we need many more of them.",
            "Parking is already hard to find. Taking road space from cars hurts local shops.",
            "I would cycle to work if the routes were safe, but I worry about the cost.",
        ),
        consensus=(
            "We support building more bike lanes where they make cycling safer, starting with the "
            "main routes to schools and workplaces, while planning them with local shops so that "
            "parking and deliveries are not made harder and the cost stays within the budget."
        ),
    ),
    FewShotExample(
        question="Should schools ban mobile phones during the school day?",
        opinions=(
            "Phones distract pupils and fuel bullying; a ban would help them focus.",
            "Parents need to reach their children in an emergency.",
            "Teenagers should learn to manage phones themselves rather than be banned from them.",
        ),
        consensus=(
            "Phones should be put away during lessons so pupils can concentrate, with clear ways "
            "for parents to reach their children in an emergency, and schools should also teach "
            "pupils how to use phones responsibly."
        ),
    ),
)

# v2's third example: a room split for and against, bridged by conditions both sides can accept.
DIVIDED_EXAMPLE = FewShotExample(
    question="Should the city charge drivers a fee to enter the centre at peak times?",
    opinions=(
        "Yes. The air in the centre is dirty and buses sit in traffic; drivers should pay for the "
        "space they take.",
        "No. It is a tax on shift workers and carers who have no other way to get to work.",
        "Only once the buses are good enough to be a real alternative.",
        "I run a shop in the centre and I am afraid my customers will drive to the malls instead.",
    ),
    consensus=(
        "A peak-time fee should come only once buses and park-and-ride give people a real "
        "alternative, and all of its income should go to public transport, with discounts for "
        "shift workers and carers and free access for deliveries to local shops."
    ),
)


def _opinion_lines(opinions: Sequence[str], order: Sequence[int]) -> str:
    return "".join(f"Opinion: {opinions[i]}\n\n" for i in order)


def opinion_orders(n_participants: int, n_orders: int) -> tuple[tuple[int, ...], ...]:
    """``n_orders`` distinct orders of the participants.

    The first ``n_participants`` are rotations (each participant opens one prompt, and each keeps
    its neighbours); beyond that come seeded random permutations, one per sample in the limit, as
    the Habermas Machine shuffles. Deterministic, so a request is reproducible.
    """
    n_orders = max(1, min(n_orders, math.factorial(min(n_participants, 10))))
    base = list(range(n_participants))
    rotations = min(n_orders, n_participants)
    step = n_participants / rotations
    orders = [tuple(base[round(k * step) :] + base[: round(k * step)]) for k in range(rotations)]
    rng = random.Random(n_participants)
    seen = set(orders)
    while len(orders) < n_orders:
        perm = base[:]
        rng.shuffle(perm)
        if tuple(perm) not in seen:
            seen.add(tuple(perm))
            orders.append(tuple(perm))
    return tuple(orders)


@dataclass(frozen=True)
class JuryTemplate:
    """The paper's citizens'-jury prompt, zero-shot or few-shot."""

    version: str
    examples: tuple[FewShotExample, ...] = field(default=())
    intro: str = JURY_INTRO

    def plan(self, question: str, opinions: Sequence[str], n_orders: int = 1) -> PromptPlan:
        q = require_text(question, "The question").text
        ops = [require_text(o, f"Opinion {i + 1}").text for i, o in enumerate(opinions)]
        if not ops:
            raise EmptyTextError("At least one opinion is needed to write a consensus statement.")
        prefix = self.intro + "\n\n"
        for ex in self.examples:
            prefix += f"Question: {ex.question}\n\n"
            prefix += _opinion_lines(ex.opinions, range(len(ex.opinions)))
            prefix += f"{JURY_FOOTER} {ex.consensus}\n\n"
        prefix += f"Question: {q}\n\n"
        orders = opinion_orders(len(ops), n_orders)
        suffixes = tuple(_opinion_lines(ops, order) + JURY_FOOTER for order in orders)
        return PromptPlan(self.version, prefix, suffixes, orders)


@dataclass(frozen=True)
class RevisionTemplate:
    """The Habermas Machine's critique round: opinions, the previous statement and critiques."""

    version: str = "revision-v1"

    def plan(
        self,
        question: str,
        opinions: Sequence[str],
        previous_statement: str,
        critiques: Sequence[str],
        n_orders: int = 1,
    ) -> PromptPlan:
        if len(critiques) != len(opinions):
            raise ValueError("One critique per participant is needed (an empty string if none).")
        q = require_text(question, "The question").text
        ops = [require_text(o, f"Opinion {i + 1}").text for i, o in enumerate(opinions)]
        prev = require_text(previous_statement, "The previous statement").text
        crits = [clean_participant_text(c).text or "(no critique)" for c in critiques]
        prefix = JURY_INTRO + "\n\n" + f"Question: {q}\n\n"
        orders = opinion_orders(len(ops), n_orders)
        suffixes = []
        for order in orders:
            body = _opinion_lines(ops, order)
            body += f"Previous consensus statement: {prev}\n\n"
            body += "".join(f"Critique: {crits[i]}\n\n" for i in order)
            suffixes.append(body + REVISION_FOOTER)
        return PromptPlan(self.version, prefix, tuple(suffixes), orders)


JURY_ZERO_SHOT = JuryTemplate("jury-zero-shot-v1")
JURY_FEW_SHOT = JuryTemplate("jury-few-shot-v1", FEW_SHOT_EXAMPLES)
JURY_FEW_SHOT_V2 = JuryTemplate(
    "jury-few-shot-v2", (*FEW_SHOT_EXAMPLES, DIVIDED_EXAMPLE), JURY_INTRO + GOOD_STATEMENT
)
REVISION = RevisionTemplate()
TEMPLATES: dict[str, JuryTemplate] = {
    t.version: t for t in (JURY_ZERO_SHOT, JURY_FEW_SHOT, JURY_FEW_SHOT_V2)
}
