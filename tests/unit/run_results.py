"""A RunResult made without a model (for storage tests: what is recorded, not what is generated)."""

from __future__ import annotations

import numpy as np

from consensus_desktop.engine.engine import Candidate, GenerationReport
from consensus_desktop.pipeline import RankedCandidate, RunResult
from consensus_desktop.prompts import PromptPlan
from consensus_desktop.reward.base import RewardVersion
from consensus_desktop.run_request import RunRequest


def synthetic_result(n: int, names: tuple[str, ...], seed: int = 0) -> RunResult:
    order = tuple(range(len(names)))
    request = RunRequest("Should we?", tuple(f"Opinion of {x}." for x in names), names, n=n)
    generated = tuple(
        Candidate(f"Statement {i}: we agree.", i, order, 12, "stop", "raw") for i in range(n)
    )
    agreement = np.random.default_rng(seed).uniform(1, 7, (n, len(names)))
    ranked = tuple(
        RankedCandidate(
            generated[i].text,
            float(agreement[i].mean()),
            tuple(float(a) for a in agreement[i]),
            i,
            order,
        )
        for i in map(int, np.argsort(-agreement.mean(axis=1)))
    )
    return RunResult(
        request=request,
        plan=PromptPlan("test-template", "prefix", ("suffix",), (order,)),
        candidates=ranked,
        agreement=agreement,
        report=GenerationReport(n, n, n, 1, 12 * n, 1.0),
        reward_version=RewardVersion("test-reward", "none.gguf", "0" * 64),
        model_file="test.gguf",
        model_sha256="0" * 64,
        backend="CPU",
        shortened=(0,),
        tradeoff=None,
        generated=generated,
    )
