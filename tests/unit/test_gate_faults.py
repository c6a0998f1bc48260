"""The pipeline's gate on statements the room could not sign: through the top-up loop every backend
shares (``collect_candidates``; the local engine, chat template or not, and a model server), into
``run --json``'s "rejected", never into the shortlist."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from test_pipeline_echoes import CopyingEngine, FlatReward
from test_server_failures import Stub, sse

from consensus_desktop.engine.candidates import collect_candidates
from consensus_desktop.engine.factory import ModelSpec, open_backend
from consensus_desktop.engine.server import ServerSpec
from consensus_desktop.engine.types import Candidate, Progress, RawSample, Rejected, SamplingParams
from consensus_desktop.pipeline import RunResult, run
from consensus_desktop.prompts import JURY_ZERO_SHOT, PromptPlan
from consensus_desktop.run_request import RunRequest
from consensus_desktop.screening import text_rejection
from consensus_desktop.signable import REASONS, faults

QUESTION = "Should the town centre be closed to private cars on weekends?"
OPINIONS = (
    "Yes, close it. The air on the high street is filthy and children cannot cross safely.",
    "My shop depends on customers who drive in from the villages; a closure would ruin me.",
    "Disabled people and carers need to reach the centre by car, so any plan must let them in.",
)
FAULTY = {
    "first_person": "I support the closure of the city centre to private cars on weekends.",
    "self_contradiction": "We support closing the centre to cars on weekends, while we oppose "
    "closing the centre to cars on weekends.",
    "repetition": "A trial closure would help shops and residents, and a trial closure would help "
    "shops and residents.",
    "one_voice": "Shops depend on customers who drive in from the villages; a closure would "
    "ruin them.",
    "platitude": "All residents in the centre must be treated equally.",
}
SIGNABLE = (
    "The centre should close to private cars on summer weekends as a trial, with access for "
    "disabled drivers and carers.",
    "Close the high street to cars on Saturdays, run extra buses from the villages, and review "
    "the effect on shops after six months.",
    "We support weekend closures if deliveries and disabled drivers can still reach the centre.",
)


class ScriptedEngine(CopyingEngine):
    """Draws the given texts in order, one per seed, through the real top-up loop."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = list(texts)

    def generate_candidates(
        self,
        plan: PromptPlan,
        n: int,
        params: Any,
        should_stop: Any = None,
        reject: Sequence[str] = (),
        screen: Any = None,
        already: Sequence[str] = (),
    ) -> Iterator[object]:
        def draw(seeds: list[int]) -> Iterator[Progress | RawSample]:
            for i, seed in enumerate(seeds):
                yield RawSample(i, seed, 0, self.texts.pop(0), 20, "stop")

        return collect_candidates(draw, plan, n, params, reject, screen, already)


def test_faulty_samples_are_rejected_with_their_reason_and_replaced() -> None:
    # the first round of three draws only faulty samples; the loop draws again until three pass
    engine = ScriptedEngine([*FAULTY.values(), *SIGNABLE])
    request = RunRequest(QUESTION, OPINIONS, n=3, shortlist_k=3)
    result = list(run(engine, FlatReward(), request))[-1]  # type: ignore[arg-type]
    assert isinstance(result, RunResult)
    out = result.to_json()
    assert {r["text"]: r["reason"] for r in out["rejected"]} == {  # type: ignore[union-attr]
        text: REASONS[fault] for fault, text in FAULTY.items()
    }
    assert sorted(c.text for c in result.generated) == sorted(SIGNABLE)
    assert result.report.attempts == 8 and result.report.rounds == 3
    shortlisted = [result.candidates[i].text for i in result.shortlist_ranked()]
    assert shortlisted and not any(any(faults(t, QUESTION, OPINIONS).values()) for t in shortlisted)


@pytest.fixture()
def server() -> Iterator[Stub]:
    s = Stub()
    yield s
    s.close()


def test_the_server_path_rejects_and_replaces_them_too(server: Stub) -> None:
    """A model server's samples pass the same gate: the pipeline's screen, in its top-up loop."""
    texts, lock = [*FAULTY.values(), *SIGNABLE], threading.Lock()

    def complete(handler: BaseHTTPRequestHandler) -> None:
        with lock:
            text = texts.pop(0)
        sse(handler, [" " + w for w in text.split()])

    server.routes["/v1/completions"] = complete
    b = open_backend(ModelSpec(server=ServerSpec(server.url)))
    plan = b.prepare(JURY_ZERO_SHOT.plan(QUESTION, list(OPINIONS)))
    events = list(
        b.generate_candidates(
            plan,
            3,
            SamplingParams(max_tokens=60),
            screen=lambda text: text_rejection(text, QUESTION, OPINIONS),
        )
    )
    rejected = {e.text: e.reason for e in events if isinstance(e, Rejected)}
    assert rejected == {text: REASONS[fault] for fault, text in FAULTY.items()}
    assert sorted(e.text for e in events if isinstance(e, Candidate)) == sorted(SIGNABLE)


def test_a_statement_that_runs_on_repeating_itself_is_cut_before_the_repeat() -> None:
    """The first sentence is the candidate, not a rejection (Candidate.raw keeps the sample)."""
    first = "The centre should stay open all year round, with more buses from the villages."
    raw = f"{first} The centre should stay open all year round, with more buses."
    engine = ScriptedEngine([raw, *SIGNABLE])
    request = RunRequest(QUESTION, OPINIONS, n=3, shortlist_k=3)
    result = list(run(engine, FlatReward(), request))[-1]  # type: ignore[arg-type]
    assert isinstance(result, RunResult)
    assert not result.to_json()["rejected"]
    cut = [c for c in result.generated if c.text == first]
    assert len(cut) == 1 and cut[0].raw == raw


def test_a_sample_with_no_complete_sentence_is_a_fragment_not_an_error() -> None:
    engine = ScriptedEngine(["1. Free childcare for", *SIGNABLE])
    request = RunRequest(QUESTION, OPINIONS, n=3, shortlist_k=3)
    result = list(run(engine, FlatReward(), request))[-1]  # type: ignore[arg-type]
    assert isinstance(result, RunResult)
    assert result.to_json()["rejected"] == [
        {"text": "1. Free childcare for", "reason": "a fragment (no complete sentence)"}
    ]


@pytest.mark.parametrize(
    ("raw", "finish", "kept"),
    [
        (
            "Rents should be capped at 30% of income",
            "stop",
            "Rents should be capped at 30% of income.",
        ),
        (
            "Tax thresholds should rise every year - from 18% to 15%",
            "eos",
            "Tax thresholds should rise every year - from 18% to 15%.",
        ),
        ("Rents should be capped at 30% of income", "length", None),  # cut off: a fragment
        ("We think that the council should", "stop", None),  # ends mid-clause
        ("Rents should be capped for young workers,", "stop", None),
    ],
)
def test_a_sentence_ended_without_a_full_stop(raw: str, finish: str, kept: str | None) -> None:
    def draw(seeds: list[int]) -> Iterator[Progress | RawSample]:
        yield RawSample(0, seeds[0], 0, raw, 12, finish)

    plan = JURY_ZERO_SHOT.plan(QUESTION, list(OPINIONS))
    events = list(collect_candidates(draw, plan, 1, SamplingParams(max_tokens=60)))
    candidates = [e.text for e in events if isinstance(e, Candidate)]
    rejected = [e.reason for e in events if isinstance(e, Rejected)]
    if kept is None:
        assert not candidates and "a fragment (no complete sentence)" in rejected
    else:
        assert candidates[:1] == [kept]
