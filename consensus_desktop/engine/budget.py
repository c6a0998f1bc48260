"""Fitting question + opinions into the model's context: one documented policy.

Policy (applied in this order, and always reported, never silent):

1. If the KV memory for all samples does not fit, use a single opinion order (one shared suffix)
   instead of one per rotation.
2. If a sample's prompt plus its answer budget is still longer than the context allows, shorten the
   *longest* opinions first ("water-filling"): every opinion keeps up to a common cap of tokens,
   chosen as large as possible, and each shortened opinion visibly ends with " […]". Short
   opinions are never touched.
3. If even that would leave fewer than ``MIN_TOKENS_PER_OPINION`` tokens per opinion, refuse with
   a :class:`ContextBudgetError` that names the participants with the longest opinions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from consensus_desktop.engine.errors import ContextBudgetError
from consensus_desktop.prompts import TRUNCATION_MARK, PromptPlan, clean_participant_text

MIN_TOKENS_PER_OPINION = 12
_MARK_TOKENS = 4  # room for " […]" in any tokenizer


@dataclass(frozen=True)
class FittedPlan:
    plan: PromptPlan
    opinions: tuple[str, ...]
    shortened: tuple[int, ...]  # participant indices whose opinion was shortened
    n_orders: int
    prompt_tokens: int  # prefix + longest suffix
    changes: tuple[tuple[int, str], ...] = ()  # (participant index, what was changed and why)


def water_fill_cap(lengths: Sequence[int], target_total: int) -> int:
    """Largest cap T with sum(min(L, T)) <= target_total (T >= 0)."""
    if sum(lengths) <= target_total:
        return max(lengths, default=0)
    lo, hi = 0, max(lengths)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sum(min(length, mid) for length in lengths) <= target_total:
            lo = mid
        else:
            hi = mid - 1
    return lo


def fit_plan(
    build: Callable[[Sequence[str], int], PromptPlan],
    opinions: Sequence[str],
    n_orders: int,
    n_samples: int,
    max_new_tokens: int,
    count_tokens: Callable[[str], int],
    truncate_tokens: Callable[[str, int], str],
    per_sequence_limit: int,
    max_kv_cells: int,
    names: Sequence[str] | None = None,
) -> FittedPlan:
    def measure(plan: PromptPlan) -> tuple[int, int]:
        prefix = count_tokens(plan.prefix)
        suffixes = [count_tokens(s) for s in plan.suffixes]
        per_seq = prefix + max(suffixes) + max_new_tokens
        total = (
            prefix
            + sum(suffixes[: min(len(suffixes), n_samples)])
            + n_samples * (max_new_tokens + 1)
        )
        return per_seq, total

    cleaned = [clean_participant_text(o) for o in opinions]  # measure what the prompt will hold
    ops = [c.text for c in cleaned]
    changes = [(i, change) for i, c in enumerate(cleaned) for change in c.changes]
    plan = build(ops, n_orders)
    per_seq, total = measure(plan)
    if total > max_kv_cells and n_orders > 1:
        n_orders = 1
        plan = build(ops, n_orders)
        per_seq, total = measure(plan)
    overflow = max(per_seq - per_sequence_limit, total - max_kv_cells)
    shortened: list[int] = [i for i, c in enumerate(cleaned) if c.truncated]
    if overflow > 0:
        lengths = [count_tokens(o) for o in ops]
        target = sum(lengths) - overflow - _MARK_TOKENS * len(ops)
        cap = water_fill_cap(lengths, target)
        if cap < MIN_TOKENS_PER_OPINION:
            _blame_the_request(
                n_samples,
                max_new_tokens,
                per_seq - per_sequence_limit,
                total,
                max_kv_cells,
                per_sequence_limit,
            )
            who = names or [f"participant {i + 1}" for i in range(len(ops))]
            longest = sorted(range(len(ops)), key=lambda i: -lengths[i])[:3]
            raise ContextBudgetError(
                "The question and opinions are too long for this model's context "
                f"({per_seq:,} tokens needed, {per_sequence_limit:,} available) even after "
                "shortening. Ask these participants to shorten their opinions: "
                + ", ".join(f"{who[i]} ({lengths[i]:,} tokens)" for i in longest)
                + ". Or choose a model with a longer context."
            )
        for i, length in enumerate(lengths):
            if length > cap:
                ops[i] = truncate_tokens(ops[i], cap).rstrip() + TRUNCATION_MARK
                shortened.append(i)
                changes.append((i, f"shortened to {cap} tokens to fit the model's context"))
        plan = build(ops, n_orders)
        per_seq, total = measure(plan)
    return FittedPlan(
        plan,
        tuple(ops),
        tuple(sorted(set(shortened))),
        n_orders,
        per_seq - max_new_tokens,
        tuple(sorted(changes, key=lambda change: change[0])),
    )


def _blame_the_request(
    n_samples: int,
    max_new_tokens: int,
    per_seq_overflow: int,
    total: int,
    max_kv_cells: int,
    per_sequence_limit: int,
) -> None:
    """When the number of candidates or the statement length is what overflows, say so rather
    than blaming the participants' opinions."""
    if total - max_kv_cells > per_seq_overflow:
        raise ContextBudgetError(
            f"{n_samples:,} candidates of up to {max_new_tokens:,} tokens each need {total:,} "
            f"tokens of model memory, more than the {max_kv_cells:,} available; ask for fewer "
            "candidates or shorter statements."
        )
    if max_new_tokens > 0.9 * per_sequence_limit:  # the answer alone takes nearly all of it
        raise ContextBudgetError(
            f"Statements of up to {max_new_tokens:,} tokens leave too little of this model's "
            f"context ({per_sequence_limit:,} tokens) for the opinions; ask for at most "
            f"{per_sequence_limit // 2:,} tokens per statement."
        )


class ContextFitting:
    """``fit`` for any backend that counts and truncates tokens in its own tokenizer.

    A backend sets ``per_sequence_limit`` (one sample's prompt + answer) and ``max_kv_cells`` (all
    samples of one request together) and implements the two token methods.
    """

    per_sequence_limit: int
    max_kv_cells: int

    def count_tokens(self, text: str) -> int:
        raise NotImplementedError

    def truncate_tokens(self, text: str, n_tokens: int) -> str:
        raise NotImplementedError

    def prepare(self, plan: PromptPlan) -> PromptPlan:
        """The plan as this backend will send it (a chat model wraps it in its template)."""
        return plan

    def fit(
        self,
        build: Callable[[Sequence[str], int], PromptPlan],
        opinions: Sequence[str],
        n_orders: int,
        n_samples: int,
        max_new_tokens: int,
        names: Sequence[str] | None = None,
    ) -> FittedPlan:
        """Apply the context policy above."""
        return fit_plan(
            lambda ops, k: self.prepare(build(ops, k)),
            opinions,
            n_orders,
            n_samples,
            max_new_tokens,
            self.count_tokens,
            self.truncate_tokens,
            self.per_sequence_limit,
            self.max_kv_cells,
            names,
        )
