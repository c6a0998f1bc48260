"""Benchmark: agreement predictions with N + M embeddings (ours) vs N x M pairwise model calls.

    python tests/bench/bench_reward.py [--model PATH]

Ours embeds each opinion and each candidate once, then combines pairs with dot products. The
pairwise alternative embeds the paper's reward-model input ("Question: … Opinion: … Consensus: …")
once per (participant, candidate) pair, with the same encoder. Both batch texts through llama.cpp
(several sequences per decode). Measured for 16 candidates x 5 participants and 16 x 30, in one run. Last line:
``speedup: X.XX`` (pairwise time / ours, at 16 x 5).
"""

from __future__ import annotations

import argparse
import time

from consensus_desktop.engine.types import Progress
from consensus_desktop.prompts import clean_participant_text

QUESTION = "Should we lower the speed limit on roads?"


def reward_input(question: str, opinion: str, statement: str) -> str:
    """The paper's reward-model input: "Question: … Opinion: … Consensus: …" (the pairwise side)."""
    q, o, s = (clean_participant_text(t).text for t in (question, opinion, statement))
    return f"Question: {q}\n\nOpinion: {o}\n\nConsensus: {s}"


OPINION_POOL = [
    "Lower limits save lives, especially near schools and in towns.",
    "I drive for work and slower roads would cost me time and money.",
    "Enforcement matters more than the number on the sign; many people already speed.",
    "Only lower them where people live; motorways are fine as they are.",
    "Cars are safer than ever, so the limits could even go up on good roads.",
    "Cyclists and walkers need slower traffic to feel safe on our streets.",
]
CANDIDATE_POOL = [
    "We support lower limits near schools and homes, with better enforcement everywhere.",
    "Speed limits should fit each road: lower in towns, unchanged on motorways.",
    "We agree that safety comes first, and limits should be reviewed road by road.",
    "Invest in enforcement and safer road design before changing the limits.",
]


def texts(n: int, pool: list[str]) -> list[str]:
    return [f"{pool[i % len(pool)]} (variant {i})" for i in range(n)]


def drain(events: object) -> object:
    last = None
    for e in events:  # type: ignore[attr-defined]
        if not isinstance(e, Progress):
            last = e
    return last


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model")
    args = parser.parse_args()
    from consensus_desktop.engine.factory import open_backend
    from consensus_desktop.model_catalog import resolve_model
    from consensus_desktop.reward.select import reward_for

    engine = open_backend(resolve_model(args.model))
    reward = reward_for(engine)
    print(f"model: {engine.info.file_name}; reward: {reward.version.label}")
    drain(reward.engine.embed(["warm up"]))
    results = {}
    for n_c, n_p in ((16, 5), (16, 30)):
        ops, cands = texts(n_p, OPINION_POOL), texts(n_c, CANDIDATE_POOL)
        t0 = time.perf_counter()
        matrix = drain(reward.predict(QUESTION, ops, cands))
        ours = time.perf_counter() - t0
        assert matrix is not None and matrix.shape == (n_c, n_p)  # type: ignore[attr-defined]
        pairs = [reward_input(QUESTION, o, c) for c in cands for o in ops]
        t0 = time.perf_counter()
        emb = drain(reward.engine.embed(pairs))  # the same encoder as ours
        pairwise = time.perf_counter() - t0
        assert emb is not None and emb.shape[0] == n_c * n_p  # type: ignore[attr-defined]
        results[(n_c, n_p)] = (ours, pairwise)
        print(
            f"{n_c} candidates x {n_p} participants: ours (N+M = {n_c + n_p} texts) "
            f"{ours:.2f} s, pairwise (N x M = {n_c * n_p} texts) {pairwise:.2f} s, "
            f"ratio {pairwise / ours:.2f}"
        )
    reward.close()
    engine.close()
    ours, pairwise = results[(16, 5)]
    print(f"speedup: {pairwise / ours:.2f}")


if __name__ == "__main__":
    main()
