"""Benchmark: the server backend vs the local engine, and 4 tables at once vs one after another.

    python tests/bench/bench_server.py [--n 16] [--tokens 60] [--tables 4]

Starts ``python -m llama_cpp.server`` with the default model on a free loopback port (same model,
same machine, same thread count as the local engine), then in one run:

(a) N candidates through the local engine (one llama.cpp batch per round);
(b) the same N through the server backend (N streamed requests, one seed each);
(c) ``--tables`` sessions of N at once against the one server (a venue with several tables);
(d) the same sessions one after another.

(a)/(b) and (c)/(d) alternate ``--repeats`` times and each side keeps its best time.

Every side counts the samples it drew and the tokens written. Last line:
``server/local: X tables_speedup: Y`` with X = time(b) / time(a) (above 1: the server is
slower) and Y = time(d) / time(c) (above 1: the server gains from serving tables together).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/ helpers

from llama_server import LlamaServer

from consensus_desktop.engine.factory import ModelSpec, open_backend
from consensus_desktop.engine.local_model import default_threads
from consensus_desktop.engine.protocol import ModelBackend
from consensus_desktop.engine.server import ServerSpec
from consensus_desktop.engine.types import GenerationReport, SamplingParams
from consensus_desktop.prompts import JURY_FEW_SHOT

QUESTION = "Should we lower the speed limit on roads?"
OPINIONS = (
    "Lower limits save lives, especially near schools.",
    "Slower roads would cost me time and money at work.",
    "Enforcement matters more than the number on the sign.",
)


def session(backend: ModelBackend, n: int, tokens: int, seed: int) -> GenerationReport:
    """One table's generation. Every call asks a question of its own (the seed in it), so no
    side gains from a prompt cache left by the call before (llama_cpp.server keeps one)."""
    question = f"{QUESTION[:-1]} in district {seed}?"
    fitted = backend.fit(
        lambda ops, k: JURY_FEW_SHOT.plan(question, ops, k), OPINIONS, 1, n, tokens
    )
    params = SamplingParams(max_tokens=tokens, seed=seed)
    *_, report = backend.generate_candidates(fitted.plan, n, params, reject=(question, *OPINIONS))
    assert isinstance(report, GenerationReport)
    return report


def timed(label: str, fn: object) -> float:
    start = time.perf_counter()
    reports = fn()  # type: ignore[operator]
    seconds = time.perf_counter() - start
    samples = sum(r.attempts for r in reports)
    tokens = sum(r.tokens for r in reports)
    found = sum(r.found for r in reports)
    print(
        f"{label:<34} {seconds:7.2f} s  {found} candidates from {samples} samples, "
        f"{tokens} tokens ({tokens / seconds:.1f} tok/s)"
    )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=16)
    parser.add_argument("--tokens", type=int, default=60)
    parser.add_argument("--tables", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=2, help="alternating runs; best kept")
    args = parser.parse_args()
    from consensus_desktop.model_catalog import default_model_path

    model = default_model_path()
    threads = default_threads()
    print(f"model: {model.name}; threads: {threads}; N = {args.n}; {args.tokens} tokens each")
    server = LlamaServer(model, "bench", threads=threads, interrupt_requests=False)
    local = open_backend(ModelSpec(model, n_threads=threads))
    remote = open_backend(ModelSpec(server=ServerSpec(server.url)))

    def together(r: int) -> list[GenerationReport]:
        out: list[GenerationReport] = []
        backends = [
            open_backend(ModelSpec(server=ServerSpec(server.url))) for _ in range(args.tables)
        ]
        runs = [
            threading.Thread(
                target=lambda b=b, k=k: out.append(session(b, args.n, args.tokens, 100 * r + k))
            )
            for k, b in enumerate(backends)
        ]
        for t in runs:
            t.start()
        for t in runs:
            t.join()
        return out

    def one_by_one(r: int) -> list[GenerationReport]:
        return [session(remote, args.n, args.tokens, 1000 * r + k) for k in range(args.tables)]

    try:
        session(local, 2, 4, 0)  # warm-up
        session(remote, 2, 4, 0)
        # The sides alternate and each keeps its best time, so a burst of load on a shared
        # machine does not land on one side only.
        t_local = t_server = t_together = t_serial = float("inf")
        for r in range(1, args.repeats + 1):
            # both sides get the same, new question (no prompt cache from the call before)
            t = timed("(a) local engine", lambda r=r: [session(local, args.n, args.tokens, r)])
            t_local = min(t_local, t)
            t = timed("(b) server backend", lambda r=r: [session(remote, args.n, args.tokens, r)])
            t_server = min(t_server, t)
        for r in range(1, args.repeats + 1):
            t = timed(f"(c) {args.tables} tables at once", lambda r=r: together(r))
            t_together = min(t_together, t)
            t = timed(f"(d) {args.tables} tables one by one", lambda r=r: one_by_one(r))
            t_serial = min(t_serial, t)
    finally:
        local.close()
        server.stop()
    print(f"server/local: {t_server / t_local:.2f} tables_speedup: {t_serial / t_together:.2f}")


if __name__ == "__main__":
    main()
