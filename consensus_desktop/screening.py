"""What makes two candidates the same statement, and a candidate off the question.

Both are judged on unit sentence embeddings (all-MiniLM-L6-v2, the reward's encoder), so the
pipeline's filters, the shortlist and the quality benchmark share one definition:

- **near-duplicates**: cosine >= ``NEAR_DUPLICATE`` (0.87: "We support free childcare for all
  children under five." and "… for children under five." are, at 0.98; "We should allow for free
  childcare for all children under five." and "Yes, we should provide free childcare for all
  children under five and …" are, at 0.89);
- **off the question**: a candidate's closeness (its highest cosine to the question and to each
  opinion) is below ``OFF_TOPIC`` (0.25), or below ``OFF_TOPIC_RELATIVE`` (0.65) times the median
  closeness of the run's candidates. On the childcare example of issue 13, on-topic candidates
  have a closeness of 0.58-0.89 (median 0.74) and "We support universal health care for everyone
  under 65, …" 0.45; "We strongly disagree with the first two." has 0.15.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from consensus_desktop.signable import signable_rejection

NEAR_DUPLICATE = 0.87
OFF_TOPIC = 0.25
OFF_TOPIC_RELATIVE = 0.65
ECHO_OVERLAP = 0.7


def unit(vectors: np.ndarray) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float64)
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def near_duplicate_share(embeddings: np.ndarray) -> float:
    """Share of pairs of these statements that are near-duplicates (0 for fewer than two)."""
    u = unit(embeddings)
    n = len(u)
    if n < 2:
        return 0.0
    sims = (u @ u.T)[np.triu_indices(n, 1)]
    return float((sims >= NEAR_DUPLICATE).mean())


def off_topic(candidates: np.ndarray, context: np.ndarray) -> np.ndarray:
    """Boolean per candidate: off the question, given the context texts (question, opinions)."""
    if len(candidates) == 0:
        return np.zeros(0, dtype=bool)
    closeness = (unit(candidates) @ unit(context).T).max(axis=1)
    floor = max(OFF_TOPIC, OFF_TOPIC_RELATIVE * float(np.median(closeness)))
    return np.asarray(closeness < floor)


def near_copies(candidates: np.ndarray, references: np.ndarray) -> np.ndarray:
    """Boolean per candidate: a near-duplicate of one of the reference texts (e.g. the prompt's
    example statements, which a small model sometimes copies with a word or two changed)."""
    if len(candidates) == 0 or len(references) == 0:
        return np.zeros(len(candidates), dtype=bool)
    return np.asarray((unit(candidates) @ unit(references).T).max(axis=1) >= NEAR_DUPLICATE)


def coverage(candidates: np.ndarray, opinions: np.ndarray) -> np.ndarray:
    """Per candidate: its lowest cosine to any one opinion, i.e. how near it comes to the
    participant it serves worst (a one-sided statement is far from somebody)."""
    if len(candidates) == 0 or len(opinions) == 0:
        return np.zeros(len(candidates))
    return np.asarray((unit(candidates) @ unit(opinions).T).min(axis=1))


# -- text filters (no embeddings) ---------------------------------------------------------------
# A statement about the opinions or the people in the room instead of the question.
_META = re.compile(
    r"\b(?:the (?:first|second|third|last|other|above|previous|following) (?:two|three|one|ones|"
    r"opinions?|statements?|citizens?|participants?|speakers?|people)|the above|as a jury|"
    r"(?:this|the|our) jury|citizens?['’]?s?['’]? jury|"
    r"(?:all|most|some|many|both|each|none|other|rest) of the (?:citizens|participants|jurors)|"
    r"the (?:citizens|participants|jurors)['’]?s?['’]? (?:\w+ )?"
    r"(?:agree|disagree|opinions?|views?|said|says|think|believe|feel|wants?|wrote)\b|"
    r"(?:these|those|all|the) opinions|opinion \d|(?:first|second|third) (?:citizen|participant|opinion|speaker)|"
    r"consensus (?:statement|view))",
    re.IGNORECASE,
)
_CONNECTIVE_START = re.compile(
    r"^(?:and|but|or|so|because|which|that|then|also|although|while|whereas)\b", re.IGNORECASE
)
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)
_STOPWORDS = {
    "en": "the and of to is that we should be for are it not in with this they have on",
    "de": "der die und das ist nicht wir sollte zu mit ein eine für sie auf den sind",
    "fr": "le la les et est pas nous de des pour une un que il sont dans doit avec",
    "es": "el la los las y es no nosotros de para una un que debe con por son en",
    "nl": "de het en is niet wij we van een voor dat moet met zijn op ze",
}
_STOPSETS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}


def guess_language(text: str) -> str | None:
    """'cjk' for Chinese/Japanese/Korean script, else the language whose commonest words the text
    uses most (en, de, fr, es, nl), or None when it uses too few of them to tell."""
    if sum("\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" for ch in text) > 3:
        return "cjk"
    words = [w.casefold() for w in _WORDS.findall(text)]
    if not words:
        return None
    hits = {lang: sum(w in stop for w in words) for lang, stop in _STOPSETS.items()}
    best = max(hits, key=lambda k: hits[k])
    ranked = sorted(hits.values(), reverse=True)
    return best if ranked[0] >= 2 and ranked[0] > ranked[1] else None


def _content(text: str) -> list[str]:
    return [w.casefold() for w in _WORDS.findall(text) if len(w) > 2]


def text_rejection(text: str, question: str, opinions: Sequence[str] = ()) -> str | None:
    """Why a cleaned candidate is not a statement the room should see, or None.

    Reasons: a statement about the opinions or participants ("the first two", "the above",
    "as a jury"); an echo of the question (a question itself, or the question's words and
    little else); a fragment that starts mid-sentence ("and …", "but …", lower case); another
    language than the question's; then one the room could not sign (first person,
    self-contradiction, repetition, one participant's words, a platitude: ``signable.py``).
    An echo shares ``ECHO_OVERLAP`` of its and the question's words (of three letters or more)
    together (Jaccard).
    """
    if _META.search(text):
        return "about the opinions or participants, not the question"
    words, q_words = set(_content(text)), set(_content(question))
    if text.rstrip().endswith("?"):
        return "a question, not a statement"
    if words and len(words & q_words) / len(words | q_words) >= ECHO_OVERLAP:
        return "echoes the question"
    if _CONNECTIVE_START.match(text) or text[:1].islower():
        return "a fragment (starts mid-sentence)"
    lang, q_lang = guess_language(text), guess_language(question)
    if lang and q_lang and lang != q_lang:
        return f"in another language ({lang}) than the question ({q_lang})"
    return signable_rejection(text, question, opinions)
