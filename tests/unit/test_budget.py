from __future__ import annotations

from collections.abc import Sequence

import pytest

from consensus_desktop.engine.budget import fit_plan, water_fill_cap
from consensus_desktop.engine.errors import ContextBudgetError
from consensus_desktop.prompts import JURY_ZERO_SHOT, TRUNCATION_MARK, PromptPlan

Q = "Should we lower the speed limit?"


def count(text: str) -> int:  # a fake tokenizer: one token per word
    return len(text.split())


def truncate(text: str, n: int) -> str:
    return " ".join(text.split()[:n])


def build(ops: Sequence[str], n_orders: int) -> PromptPlan:
    return JURY_ZERO_SHOT.plan(Q, ops, n_orders)


def test_water_fill_cap() -> None:
    assert water_fill_cap([10, 20, 30], 60) == 30
    assert water_fill_cap([10, 20, 30], 40) == 15
    assert water_fill_cap([10, 20, 30], 30) == 10


def test_fits_untouched_when_there_is_room() -> None:
    fitted = fit_plan(build, ["short one", "short two"], 1, 4, 20, count, truncate, 1000, 10_000)
    assert fitted.shortened == ()
    assert fitted.opinions == ("short one", "short two")


def test_longest_opinions_are_shortened_first_and_reported() -> None:
    long = "word " * 300
    ops = ["I agree completely with this.", long, "word " * 120]
    fitted = fit_plan(
        build, ops, 1, 4, 40, count, truncate, 250, 100_000, names=["Ann", "Ben", "Cy"]
    )
    assert fitted.shortened == (1, 2)
    assert fitted.opinions[0] == ops[0]
    assert fitted.opinions[1].endswith(TRUNCATION_MARK)
    assert fitted.prompt_tokens + 40 <= 250
    # both shortened opinions were cut to the same cap
    assert count(fitted.opinions[1]) == count(fitted.opinions[2])


def test_orders_are_dropped_before_text_is_cut() -> None:
    ops = ["word " * 50] * 4
    fitted = fit_plan(build, ops, 4, 16, 60, count, truncate, 2000, 1300)
    assert fitted.n_orders == 1 and fitted.shortened == ()


def test_impossible_budget_names_the_participants() -> None:
    ops = ["word " * 500, "word " * 400, "ok then"]
    with pytest.raises(ContextBudgetError, match=r"Ann .*Ben"):
        fit_plan(build, ops, 1, 4, 60, count, truncate, 150, 100_000, names=["Ann", "Ben", "Cy"])


def test_too_many_candidates_blames_the_number_not_an_opinion() -> None:
    with pytest.raises(ContextBudgetError) as info:
        fit_plan(build, ["short one", "short two"], 1, 200, 60, count, truncate, 8192, 8000)
    assert str(info.value).startswith("200 candidates of up to 60 tokens each need")
    assert "P1" not in str(info.value) and "participant" not in str(info.value)


def test_long_statements_blame_the_statement_length() -> None:
    with pytest.raises(ContextBudgetError, match=r"^Statements of up to 960 tokens .* at most 500"):
        fit_plan(build, ["short one", "short two"], 1, 1, 960, count, truncate, 1000, 100_000)


def test_cut_and_cleaned_opinions_are_reported_with_the_reason() -> None:
    ops = ["word " * 600, "Opinion: I agree", "co\u200dop\u200bera\u2060tion matters"]
    fitted = fit_plan(build, ops, 1, 4, 20, count, truncate, 100_000, 1_000_000)
    assert fitted.shortened == (0,)
    assert fitted.changes == (
        (0, "cut to 2,000 characters"),
        (1, "'Opinion:' made plain text"),
        (2, "3 invisible character(s) removed"),
    )
    assert fitted.opinions[2] == "cooperation matters"
