"""From raw samples to N distinct usable candidates: the top-up loop every backend shares.

A backend supplies ``draw(seeds)``, which samples one continuation per seed and yields progress
(tokens of this round) and :class:`RawSample` results; :func:`collect_candidates` cleans them
(a sentence the model ended without a full stop gets one; a statement is cut before the sentence
where it starts repeating, contradicting itself or speaking as one person),
rejects empty, fragmentary, duplicate, echoed and screened-out ones (with the reason), and draws again with new seeds, up to
``MAX_ATTEMPTS_FACTOR * n`` samples in all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence

from consensus_desktop.engine.cleaning import clean_candidate, dedup_key
from consensus_desktop.engine.types import (
    Candidate,
    GenerationReport,
    Progress,
    RawSample,
    Rejected,
    SamplingParams,
)
from consensus_desktop.prompts import PromptPlan
from consensus_desktop.signable import could_end_here, without_run_on_tail

MAX_ATTEMPTS_FACTOR = 3  # at most 3 x N samples are drawn to find N distinct usable candidates

Draw = Callable[[list[int]], Iterator[Progress | RawSample]]


def collect_candidates(
    draw: Draw,
    plan: PromptPlan,
    n: int,
    params: SamplingParams,
    reject: Sequence[str] = (),
    screen: Callable[[str], str | None] = lambda text: None,
    already: Sequence[str] = (),
) -> Iterator[Candidate | Rejected | Progress | GenerationReport]:
    """Yield N distinct cleaned candidates as they finish, then a :class:`GenerationReport`.

    Empty, fragmentary, duplicate and screened-out samples (``screen`` returns a reason) are
    yielded as :class:`Rejected` and replaced. Texts in ``reject`` (the question, the opinions,
    the prompt's examples) are echoes, not statements; texts in ``already`` (candidates of an
    earlier call, for a top-up) count as duplicates.
    """
    start = time.perf_counter()
    echoes = {dedup_key(t) for t in reject}
    seen = {dedup_key(t) for t in already}
    found = attempts = tokens = rounds = 0
    budget_total = n * params.max_tokens
    done_before = 0
    while found < n and attempts < MAX_ATTEMPTS_FACTOR * n:
        missing = min(n - found, MAX_ATTEMPTS_FACTOR * n - attempts)
        seeds = [params.seed + attempts + k for k in range(missing)]
        if rounds:
            budget_total += missing * params.max_tokens
        rounds += 1
        attempts += missing
        for event in draw(seeds):
            if isinstance(event, Progress):
                # a top-up reads the prompt again; the bar's share for it was filled by the first
                read = event.prompt_done if rounds == 1 else event.prompt_tokens
                yield Progress(
                    done_before + event.tokens_done, budget_total, read, event.prompt_tokens
                )
                continue
            tokens += event.n_tokens
            if found >= n:
                continue
            candidate = _candidate(event, plan)
            if candidate is None:
                raw = " ".join(event.text.split())
                yield Rejected(raw, "a fragment (no complete sentence)", event.seed)
                continue
            key = dedup_key(candidate.text)
            reason = (
                "repeats the question, an opinion or an example of the prompt"
                if key in echoes
                else "the same as another candidate"
                if key in seen
                else screen(candidate.text)
            )
            if reason:
                yield Rejected(candidate.text, reason, candidate.seed)
                continue
            seen.add(key)
            found += 1
            yield candidate
        done_before += missing * params.max_tokens
    yield GenerationReport(n, found, attempts, rounds, tokens, time.perf_counter() - start)


def _candidate(sample: RawSample, plan: PromptPlan) -> Candidate | None:
    text = clean_candidate(sample.text)
    if not text and sample.finish_reason != "length" and could_end_here(sample.text):
        # the model ended its one sentence (at a line break or end of text) without a full stop
        text = clean_candidate(sample.text.rstrip() + ".")
    text = without_run_on_tail(text)
    if not text:
        return None
    order = plan.orders[sample.variant % len(plan.orders)]
    return Candidate(text, sample.seed, order, sample.n_tokens, sample.finish_reason, sample.text)
