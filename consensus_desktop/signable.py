"""Could the room sign it? Five faults of a statement, each defined once, used by the gate
(:func:`signable_rejection`, called from ``screening.text_rejection``) and by
``tests/bench/bench_quality.py`` (:func:`faults`).

- **first_person**: it speaks as one person: "I", "I'm", "I'd", "I've", "I'll", "me", "my",
  "myself" ("mine" is left out: a coal mine). A group statement says "we" or speaks of the policy.
- **self_contradiction**: two clauses say the same thing with opposite polarity ("The council
  should close the centre on weekends. The council should not close the centre."), counting
  negations (not, n't, never, no, cannot) and opposite verbs (close/open, ban/allow, cut/raise,
  oppose/support, less/more) as flips; clauses are the same when at least ``SAME_CLAUSE`` of the
  shorter one's content words (two or more) are in the other. Also a "Yes, …" and a "No, …"
  sentence in one statement.
- **repetition**: a clause of two or more words said twice, two clauses of five or more words
  with ``REPEATED_CLAUSE`` of their words in common and the same polarity, any run of
  ``REPEATED_RUN`` words (or of three content words) said twice, or one word three times in a
  row.
- **one_voice**: the statement's wording is mostly one participant's own. Over the statement's
  content bigrams (adjacent content words, stopwords removed), the share found in exactly one
  opinion and not in the question, for the participant with the most; one voice at
  ``ONE_VOICE`` or more with at least ``ONE_VOICE_MIN`` such bigrams. Wording several
  participants or the question share is common ground, not anybody's.
- **platitude**: recommends nothing about the question. Either stock value talk ("treated
  equally", "work together", "find a balance", "everyone deserves", "an important issue", …)
  with fewer than ``PLATITUDE_SPECIFIC`` specific words left beside it, or fewer than two
  specific words in all. Specific words are content words other than generic ones (people,
  everyone, community, needs, fair, important, …).

:func:`without_run_on_tail` cuts every sample, before the gate, before the sentence where it
starts repeating or contradicting itself or speaking as one person; so the gate sees those three
faults only within a first sentence (or in a statement that is nothing but them).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import combinations, pairwise

SAME_CLAUSE = 0.75
REPEATED_CLAUSE = 0.8
REPEATED_RUN = 4  # words; or three content words
ONE_VOICE = 0.5
ONE_VOICE_MIN = 3
PLATITUDE_SPECIFIC = 3

FAULTS = ("first_person", "self_contradiction", "repetition", "one_voice", "platitude")
REASONS = {
    "first_person": "speaks as one person (I, me, my), not as the group",
    "self_contradiction": "contradicts itself",
    "repetition": "says the same thing twice",
    "one_voice": "mostly one participant's own words",
    "platitude": "recommends nothing about the question (a platitude)",
}


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
_FIRST_PERSON = frozenset({"me", "my", "myself"})
_NUMBERED = _wordset("war phase part type stage chapter class grade level section article tier")
_STOP = _wordset(
    """a an the and or but nor so yet if then than that this these those there here it its it's
    is are was were be been being am do does did done have has had having will would shall should
    can could may might must ought need needs needed to of in on at by for with from as into onto
    about over under up down out off per via we us our ours ourselves you your they them their
    he she his her him who whom which what when where why how all any both each every some such
    only also just very too more most much many own same other others yes not no never n't
    cannot keep kept remain stay make sure let get got go going well even still already before
    after until anything something nothing each one"""
)
# content words that name nobody and nothing in particular
_GENERIC = _wordset(
    """people person everyone everybody anyone someone residents resident citizens citizen
    community communities society public individuals individual members member group groups
    needs need interests interest wellbeing well-being benefit benefits good best better way ways
    important importance issue issues matter matters question questions topic topics thing things
    fair fairly fairness equal equally equality respect respected rights right treated treat
    consider considered considering views view voices voice opinions opinion sides side together
    balance approach solution solutions situation concerns concern time future everything support
    agree agreed deserve deserves deserving ensure ensured account consideration heard listen
    complex difficult sensitive serious careful carefully decide decided decision decisions
    safe safety"""
)
_STOCK = re.compile(
    r"\b(?:treated (?:equally|fairly|the same|with respect)|(?:work|working|come|coming|pull) "
    r"together|(?:find|finding|strike|striking|reach|reaching|seek) (?:a |the |some )?"
    r"(?:balance|compromise|middle ground|common ground|solution|way forward)|"
    r"everyone(?:'s)? (?:deserves|matters|counts|should be heard|has a (?:right|say|voice))|"
    r"listen(?:ing)? to (?:each other|one another|everyone|all sides|both sides)|"
    r"(?:all|both|different) (?:sides|views|perspectives|voices)|take[sn]? into (?:account|consideration)|"
    r"(?:more|further) (?:research|discussion|debate|dialogue|consultation)|"
    r"(?:an? )?(?:very )?(?:important|complex|difficult|sensitive|serious) (?:issue|question|matter|topic)|"
    r"(?:common|greater) good|best interests?|benefit of (?:all|everyone|the community|society)|"
    r"belongs? to (?:everyone|all of us|us all)|(?:mutual )?respect (?:for )?(?:each other|one another|"
    r"everyone)(?:'s)?|no easy answers?|pros and cons|"
    r"(?:is|are) our future|open (?:mind|dialogue|discussion))\b",
    re.IGNORECASE,
)
_CLAUSE_SPLIT = re.compile(
    r"[.;:!?,…]+|\s[-–—]\s|\b(?:but|however|whereas|while|although|though|yet)\b|"
    r"\band\b|\bor\s+(?=(?:should|must|will|would|can|could|need|do|does|not|never|we|it|they)\b)",
    re.IGNORECASE,
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])\s+")
_NEGATORS = frozenset({"not", "never", "no", "nor", "neither", "cannot"})
# opposite verbs and quantities: word -> (the word it flips to, flipped?)
_OPPOSITES: dict[str, tuple[str, bool]] = {}
for _canon, _same, _flipped in (
    ("open", "open opens opened opening reopen", "close closes closed closing closure"),
    (
        "allow",
        "allow allows allowed allowing permit permits permitted",
        "ban bans banned banning prohibit prohibits prohibited forbid forbids forbidden",
    ),
    (
        "increase",
        "increase increases increased raise raises raised expand expanded",
        "decrease decreases decreased reduce reduces reduced cut cuts lower lowered",
    ),
    ("support", "support supports supported favour favor", "oppose opposes opposed against"),
    ("more", "more", "less fewer"),
):
    _OPPOSITES.update({w: (_canon, False) for w in _same.split()})
    _OPPOSITES.update({w: (_canon, True) for w in _flipped.split()})


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_SPLIT.split(text.strip()) if s.strip()]


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _TOKEN.findall(text.replace("’", "'"))]


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _content(words: Sequence[str]) -> list[str]:
    """Content words (no stopwords, three letters or more), a plural's "s" dropped."""
    return [_stem(w) for w in words if w not in _STOP and len(w) > 2 and not w.endswith("n't")]


def first_person(text: str) -> bool:
    """It speaks as one person (I, me, my, myself), not as the group or about the policy. A
    Roman one after a name of a part ("World War I", "Phase I") is not a person."""
    tokens = _TOKEN.findall(text.replace("’", "'"))
    for before, w in zip(["", *tokens], tokens, strict=False):
        if w == "I" and before.casefold() in _NUMBERED:
            continue
        if w == "I" or w.startswith("I'") or w.casefold() in _FIRST_PERSON:
            return True
    return False


def _clause(text: str) -> tuple[frozenset[str], bool]:
    """A clause's content words (opposites mapped to one word) and whether it is negated."""
    flips, key = 0, set()
    words = _words(text)
    if words[:1] in (["no"], ["yes"]):
        words = words[1:]  # "No, …" answers the question; it is not a negation of the clause
    for w in words:
        if w in _NEGATORS or w.endswith("n't"):
            flips += 1
        elif w in _OPPOSITES:
            canon, flipped = _OPPOSITES[w]
            key.add(canon)
            flips += flipped
        elif w not in _STOP and len(w) > 2:
            key.add(_stem(w))
    return frozenset(key), flips % 2 == 1


def _clauses(text: str) -> list[tuple[frozenset[str], bool]]:
    return [c for part in _CLAUSE_SPLIT.split(text) if part and (c := _clause(part))[0]]


def _overlap(a: frozenset[str], b: frozenset[str]) -> tuple[int, float]:
    shared = len(a & b)
    return shared, shared / min(len(a), len(b))


def self_contradiction(text: str) -> bool:
    """A clause and its negation in one statement, or a "Yes, …" and a "No, …" sentence."""
    openers = {s.split(maxsplit=1)[0].strip(",.!").casefold() for s in _sentences(text)}
    if {"yes", "no"} <= openers:
        return True
    for (a, neg_a), (b, neg_b) in combinations(_clauses(text), 2):
        shared, share = _overlap(a, b)
        if neg_a != neg_b and shared >= 2 and share >= SAME_CLAUSE:
            return True
    return False


def _run_twice(words: Sequence[str], length: int) -> bool:
    """Some ``length`` consecutive words occur twice without overlapping."""
    first: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - length + 1):
        run = tuple(words[i : i + length])
        if i - first.setdefault(run, i) >= length:
            return True
    return False


def repetition(text: str) -> bool:
    """A sentence or clause said twice (exactly or nearly), a run of words said twice, or one
    word three times in a row."""
    words = _words(text)
    if any(words[i] == words[i + 1] == words[i + 2] for i in range(len(words) - 2)):
        return True
    if _run_twice(words, REPEATED_RUN) or _run_twice(_content(words), 3):
        return True
    parts = [_words(p) for p in _CLAUSE_SPLIT.split(text) if p]
    exact = [tuple(p) for p in parts if len(p) >= 2]
    if len(set(exact)) < len(exact):
        return True
    long = [(frozenset(p), _clause(" ".join(p))[1]) for p in parts if len(p) >= 5]
    for (a, neg_a), (b, neg_b) in combinations(long, 2):
        if neg_a == neg_b and len(a & b) / len(a | b) >= REPEATED_CLAUSE:
            return True
    return False


def could_end_here(text: str) -> bool:
    """The text ends on a word a sentence can end on (a content word, a number, a percentage),
    not mid-clause on a function word ("… the council should") or a comma."""
    tail = text.rstrip()
    if not tail or not (tail[-1].isalnum() or tail[-1] in "%)"):
        return False
    words = _words(tail)
    return tail[-1].isdigit() or tail[-1] in "%)" or bool(words and words[-1] not in _STOP)


def _runs_on(text: str) -> bool:
    return repetition(text) or self_contradiction(text) or first_person(text)


def without_run_on_tail(text: str, min_words: int = 4) -> str:
    """The statement cut before the sentence where it starts repeating or contradicting itself or
    speaking as one person, when what is left has none of those faults and ``min_words`` words or
    more; else the statement unchanged (the gate then rejects it). A small model often restates,
    reverses or personalises its first sentence and runs on ("We support an increase in UBI. I
    support it because …"): the first sentence is the statement, the rest is dropped as cleaning
    drops a dangling half-sentence."""
    if not _runs_on(text):
        return text
    sentences = _sentences(text)
    for end in range(len(sentences) - 1, 0, -1):
        head = " ".join(sentences[:end])
        if not _runs_on(head):
            return head if len(_words(head)) >= min_words else text
    return text


def _bigrams(text: str) -> set[tuple[str, str]]:
    c = _content(_words(text))
    return set(pairwise(c))


def one_voice_share(text: str, question: str, opinions: Sequence[str]) -> tuple[float, int]:
    """(share, count) of the statement's content bigrams found in one participant's opinion
    alone and not in the question, for the participant with the most."""
    own = _bigrams(text)
    if not own or not opinions:
        return 0.0, 0
    theirs = [_bigrams(o) for o in opinions]
    common = _bigrams(question)
    best = 0
    for i, b in enumerate(theirs):
        others = set().union(*(t for j, t in enumerate(theirs) if j != i))
        best = max(best, len((own & b) - others - common))
    return best / len(own), best


def one_voice(text: str, question: str, opinions: Sequence[str]) -> bool:
    """Distinctive wording mostly from one participant's opinion (see the module's docstring)."""
    share, count = one_voice_share(text, question, opinions)
    return share >= ONE_VOICE and count >= ONE_VOICE_MIN


def platitude(text: str) -> bool:
    """Recommends nothing about the question: stock value talk with little else, or nothing
    specific at all."""
    rest = _STOCK.sub(" ", text)
    specific = [w for w in _content(_words(rest)) if w not in _GENERIC]
    if len(rest) < len(text):
        return len(specific) < PLATITUDE_SPECIFIC
    return len(specific) < 2


def faults(text: str, question: str, opinions: Sequence[str]) -> dict[str, bool]:
    """Each of :data:`FAULTS`, True where the statement has it."""
    return {
        "first_person": first_person(text),
        "self_contradiction": self_contradiction(text),
        "repetition": repetition(text),
        "one_voice": one_voice(text, question, opinions),
        "platitude": platitude(text),
    }


def signable_rejection(text: str, question: str, opinions: Sequence[str]) -> str | None:
    """The reason of the first fault (in :data:`FAULTS` order) the statement has, or None."""
    found = faults(text, question, opinions)
    return next((REASONS[f] for f in FAULTS if found[f]), None)
