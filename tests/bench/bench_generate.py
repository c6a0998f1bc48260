"""Benchmark: N sequential create_completion calls vs the batched engine, and the ceiling.

Run from a checkout with the package installed:

    python tests/bench/bench_generate.py [--model PATH] [--n 16] [--tokens 60]

All measurements are taken in one run, on the same model, threads and machine:
  (a) a loop of N llama-cpp-python ``create_completion`` calls (one sequence at a time);
  (b) the engine: all N sequences in one batch, prompt decoded once;
  ceiling: prompt-processing rate (one long batch) / single-token decode rate -- the most that
  batching can gain when each step is bound by reading the weights.
Also: the cost of shuffling opinion orders (1 shared order vs rotations vs one order per sample).
Both (a) and (b) ignore stop strings so each writes the same number of tokens.
Where the engine's time goes: ``host_ms_per_token`` is the engine run's wall time minus the time
spent in ``llama_decode`` (synchronised), per generated token: token picking, stop strings, Python.
decode ceiling: N-sequence decode steps with logits vs single-token decode (what a batched step can
gain; the engine reaches it when its host time is small), and the same measured after this run's
prompt (for information: attention over a longer prompt costs every step).
``--device-picking on`` runs the top-k in llama.cpp's graph (the default only where the logits are
on a GPU; on a CPU it is slower). Last line:
``speedup: S decode_ceiling: C host_ms_per_token: X``.
"""

from __future__ import annotations

import argparse
import time

import llama_cpp

from consensus_desktop.engine.batch_generate import RawSample
from consensus_desktop.engine.engine import Engine
from consensus_desktop.engine.factory import ModelSpec, open_backend
from consensus_desktop.engine.local_model import default_threads
from consensus_desktop.engine.token_batch import TokenBatch
from consensus_desktop.engine.types import Progress, SamplingParams
from consensus_desktop.model_catalog import default_model_path
from consensus_desktop.prompts import JURY_FEW_SHOT

QUESTION = "Should we lower the speed limit on roads?"
OPINIONS = [
    "Lower limits save lives, especially near schools and in towns.",
    "I drive for work and slower roads would cost me time and money.",
    "Enforcement matters more than the number on the sign; many people already speed.",
    "Only lower them where people live; motorways are fine as they are.",
    "Cars are safer than ever, so the limits could even go up on good roads.",
]


def loop_of_completions(
    model_path: str, prompt: str, n: int, tokens: int, threads: int
) -> tuple[float, int]:
    llm = llama_cpp.Llama(
        model_path, n_ctx=2048, n_threads=threads, n_threads_batch=threads, verbose=False
    )
    llm.create_completion(prompt, max_tokens=1)  # warm up (page the weights in)
    llm.reset()
    made = 0
    start = time.perf_counter()
    for seed in range(n):
        out = llm.create_completion(
            prompt, max_tokens=tokens, temperature=0.8, top_p=0.95, top_k=40, seed=seed
        )
        made += out["usage"]["completion_tokens"]
    elapsed = time.perf_counter() - start
    del llm
    return elapsed, made


def engine_batch(engine: Engine, n: int, tokens: int, n_orders: int) -> tuple[float, int]:
    plan = JURY_FEW_SHOT.plan(QUESTION, OPINIONS, n_orders)
    params = SamplingParams(max_tokens=tokens, seed=0)
    start = time.perf_counter()
    made = 0
    for event in engine.generator.generate(plan.prefix, plan.suffixes, list(range(n)), params, ()):
        if isinstance(event, RawSample):
            made += event.n_tokens
        elif isinstance(event, Progress):
            pass
    return time.perf_counter() - start, made


def ceiling(engine: Engine, n_prompt: int = 256, n_decode: int = 48) -> tuple[float, float]:
    """(prompt tokens/s in one batch, single-token decode tokens/s) on a fresh context."""
    gen = engine.generator
    ctx = gen._ensure_context(n_prompt + n_decode + 8, 1)
    gen._device.detach()  # the model alone
    mem = llama_cpp.llama_get_memory(ctx)
    tokens = (engine.model.tokenize(" ".join(OPINIONS * 20), add_bos=True) * 2)[:n_prompt]
    rates = []
    for _ in range(2):  # second pass is the measured one (warm caches)
        llama_cpp.llama_memory_clear(mem, True)
        batch = TokenBatch(n_prompt, 1)
        for i, tok in enumerate(tokens):
            batch.add(tok, i, [0], i == n_prompt - 1)
        t0 = time.perf_counter()
        gen._decode(ctx, batch)
        pp = n_prompt / (time.perf_counter() - t0)
        one = TokenBatch(1, 1)
        t0 = time.perf_counter()
        for k in range(n_decode):
            one.clear()
            one.add(tokens[k], n_prompt + k, [0], True)
            gen._decode(ctx, one)
        tg = n_decode / (time.perf_counter() - t0)
        rates.append((pp, tg))
    llama_cpp.llama_memory_clear(mem, True)
    return rates[-1]


def decode_step_rate(
    engine: Engine, n: int, steps: int = 8, prompt: list[int] | None = None
) -> float:
    """Tokens/s of decode steps of ``n`` sequences, every token with logits (no sampling), after a
    shared ``prompt`` (default: 32 tokens)."""
    gen = engine.generator
    tokens = prompt or engine.model.tokenize(" ".join(OPINIONS), add_bos=True)[:32]
    ctx = gen._ensure_context(len(tokens) + 32 + n * (steps + 1), n)
    gen._device.detach()  # the model alone
    mem = llama_cpp.llama_get_memory(ctx)
    llama_cpp.llama_memory_clear(mem, True)
    batch = TokenBatch(gen.n_batch, n)
    for start in range(0, len(tokens), gen.n_batch):
        batch.clear()
        batch.add_run(tokens[start : start + gen.n_batch], start, list(range(n)), False)
        gen._decode(ctx, batch)
    best = 0.0
    for k in range(steps):
        batch.clear()
        for s in range(n):
            batch.add(tokens[(k + s) % len(tokens)], len(tokens) + k, [s], True)
        t0 = time.perf_counter()
        gen._decode(ctx, batch)
        best = max(best, n / (time.perf_counter() - t0))
    llama_cpp.llama_memory_clear(mem, True)
    return best


def host_time(engine: Engine, n: int, tokens: int) -> tuple[float, float, int]:
    """(run seconds, seconds inside llama_decode, tokens) of one engine run, decode timed apart."""
    gen = engine.generator
    decode = gen._decode
    spent = [0.0]

    def timed(ctx: llama_cpp.llama_context_p, batch: TokenBatch) -> None:
        t0 = time.perf_counter()
        decode(ctx, batch)
        llama_cpp.llama_synchronize(ctx)
        spent[0] += time.perf_counter() - t0

    gen._decode = timed  # type: ignore[method-assign]
    try:
        t, made = engine_batch(engine, n, tokens, 1)
    finally:
        del gen._decode
    return t, spent[0], made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model")
    parser.add_argument("--n", type=int, default=16)
    parser.add_argument("--tokens", type=int, default=60)
    parser.add_argument("--threads", type=int, default=default_threads())
    parser.add_argument(
        "--device-picking",
        choices=("auto", "on", "off"),
        default="auto",
        help="top-k in llama.cpp's graph (auto: when the logits are on a GPU)",
    )
    args = parser.parse_args()
    model_path = args.model or str(default_model_path())
    engine = open_backend(ModelSpec(model_path, n_threads=args.threads))
    assert isinstance(engine, Engine)  # measures the local engine's internals
    if args.device_picking != "auto":
        engine.generator.device_top_k = args.device_picking == "on"
    plan = JURY_FEW_SHOT.plan(QUESTION, OPINIONS)
    prompt = plan.full_prompt()
    print(
        f"model: {engine.info.file_name} ({engine.info.description}), backend "
        f"{engine.info.backend}, threads {args.threads}; top-k "
        f"{'in llama.cpp graph' if engine.generator.device_top_k else 'on the host'}"
    )
    print(
        f"prompt: {engine.count_tokens(prompt)} tokens; N = {args.n}; {args.tokens} new tokens each"
    )

    # Each side runs twice and keeps its faster run: this 2-core machine is noisy.
    engine_batch(engine, 2, 4, 1)  # warm-up
    t_b, made_b = min(engine_batch(engine, args.n, args.tokens, 1) for _ in range(2))
    t_a, made_a = min(
        loop_of_completions(model_path, prompt, args.n, args.tokens, args.threads) for _ in range(2)
    )
    rate_a, rate_b = made_a / t_a, made_b / t_b
    print(
        f"(a) loop of {args.n} create_completion: {made_a} tokens in {t_a:.2f} s = {rate_a:.1f} tok/s"
    )
    print(f"(b) engine, one batch:             {made_b} tokens in {t_b:.2f} s = {rate_b:.1f} tok/s")

    n_part = len(OPINIONS)
    for label, orders in (
        ("1 shared order", 1),
        (f"{n_part} rotations", n_part),
        (f"{args.n} per-sample orders", args.n),
    ):
        t, made = engine_batch(engine, args.n, args.tokens, orders)
        print(f"order bias: {label:>16}: {t:.2f} s ({made / t:.1f} tok/s)")
    pp, tg = ceiling(engine)
    ceil = pp / tg
    print(f"ceiling: prompt processing {pp:.1f} tok/s / single-token decode {tg:.1f} tok/s")
    step = decode_step_rate(engine, args.n)
    print(
        f"decode ceiling: {args.n} tokens per step, each with logits, {step:.1f} tok/s = "
        f"{step / tg:.2f}x single-token decode (what a batched decode step can reach: unlike "
        "prompt processing it computes the output layer for every token)"
    )
    # The same at this run's prompt length: each sequence's token reads the whole prompt in every
    # layer's attention, a cost batching does not share (for information; C above is the target).
    prompt_ids = engine.model.tokenize(prompt, add_bos=engine.model.add_bos)
    step_long = decode_step_rate(engine, args.n, prompt=prompt_ids)
    tg_long = decode_step_rate(engine, 1, prompt=prompt_ids)
    print(
        f"at this prompt's length ({len(prompt_ids)} tokens): {args.n} tokens per step "
        f"{step_long:.1f} tok/s, single-token decode {tg_long:.1f} tok/s = "
        f"{step_long / tg_long:.2f}x"
    )
    splits = [host_time(engine, args.n, args.tokens) for _ in range(2)]
    t, dec, made = min(splits, key=lambda r: r[0] - r[1])
    host_ms = 1000 * (t - dec) / max(made, 1)
    print(
        f"time split: {t:.2f} s run, {dec:.2f} s in llama_decode, {t - dec:.2f} s host "
        f"= {host_ms:.3f} ms per token ({made} tokens)"
    )
    engine.close()
    speedup = rate_b / rate_a
    decode_ceiling = step / tg
    print(
        f"speedup/ceiling = {speedup / ceil:.0%}; speedup/decode_ceiling = "
        f"{speedup / decode_ceiling:.0%}; at this prompt's length "
        f"{speedup / (step_long / tg_long):.0%}"
    )
    print(
        f"speedup: {speedup:.2f} decode_ceiling: {decode_ceiling:.2f} "
        f"host_ms_per_token: {host_ms:.3f}"
    )


if __name__ == "__main__":
    main()
