"""Benchmark: a plenary's predictions, welfare and breakpoints for a room, and how they grow.

    python tests/bench/bench_assembly.py [--polis DIR] [--model PATH] [--sizes 50 200 800]

A synthetic assembly from real data: participants' comments of the shared English Polis
conversations (American Assembly Bowling Green first, then BG 2050 and the Scoop HiveMind ones, in
that order, until there are enough) are the members' opinions, ten members to a table
(200 participants = 20 tables x 10), each with a seeded offset as if they had rated at their table;
the first 16 comments are the plenary candidates. Timed, in one run and for each
size: the agreement predictions (N + P embeddings with the app's reward model), the shift by each
member's offset, the welfare ranking, the per-table view (mean, min, worst-off table and person)
and the exact trade-off breakpoints. Each size reports wall and CPU seconds; the figures compared
are CPU seconds of this process (llama.cpp's threads included), because on a shared machine the
wall clock also measures the neighbours. Last line:
``participants: 200 seconds: S growth_800_200: G`` (G = time at 800 / time at 200; 4 is linear).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from consensus_desktop.assembly.plenary import table_view
from consensus_desktop.engine.batch_generate import Progress
from consensus_desktop.reward.polis_data import load_conversation
from consensus_desktop.welfare.isoelastic import ranking
from consensus_desktop.welfare.tradeoff import analyse
from consensus_desktop.welfare.utilities import likert_to_utility, shift_predictions

ROOT = Path(__file__).resolve().parents[2]
CONVERSATIONS = (
    "american-assembly.bowling-green",
    "bg2050-volunteers",
    "scoop-hivemind.affordable-housing",
    "scoop-hivemind.biodiversity",
    "scoop-hivemind.taxes",
    "scoop-hivemind.freshwater",
    "scoop-hivemind.ubi",
)
N_CANDIDATES, TABLE_SIZE = 16, 10


def default_polis() -> Path:
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "data" / "polis").is_dir():
            return base / "shared" / "data" / "polis"
    return ROOT.parent / "shared" / "data" / "polis"


def comments(polis: Path, wanted: int) -> list[str]:
    """Distinct comments of real conversations, conversation by conversation, in id order."""
    seen: set[str] = set()
    out: list[str] = []
    for name in CONVERSATIONS:
        for _, text in sorted(load_conversation(polis / name).comments.items()):
            key = " ".join(text.split()).casefold()
            if 20 <= len(key) <= 400 and key not in seen:
                seen.add(key)
                out.append(text)
        if len(out) >= wanted:
            return out[:wanted]
    raise SystemExit(f"The conversations have {len(out)} usable comments; {wanted} are needed.")


def plenary_maths(
    reward: object, question: str, opinions: list[str], candidates: list[str], offsets: np.ndarray
) -> tuple[float, float]:
    """(CPU, wall) seconds for predictions + offsets + welfare + table view + breakpoints."""
    t0, c0 = time.perf_counter(), time.process_time()
    predicted = None
    for ev in reward.predict(question, opinions, candidates):  # type: ignore[attr-defined]
        if not isinstance(ev, Progress):
            predicted = ev
    assert predicted is not None and predicted.shape == (len(candidates), len(opinions))
    agreement = shift_predictions(predicted, offsets)
    utilities = likert_to_utility(agreement)
    order = ranking(utilities, 1.0)
    sizes = [TABLE_SIZE] * (len(opinions) // TABLE_SIZE)
    view = table_view(agreement[order], [f"T{k + 1}" for k in range(len(sizes))], sizes)
    tradeoff = analyse(utilities)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    assert view.mean.shape == (len(candidates), len(sizes)) and tradeoff.stretches
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--polis", type=Path, default=default_polis())
    parser.add_argument("--model")
    parser.add_argument("--sizes", type=int, nargs=3, default=[50, 200, 800])
    args = parser.parse_args()
    if any(s % TABLE_SIZE for s in args.sizes):
        raise SystemExit(f"sizes must be multiples of the table size {TABLE_SIZE}")
    from consensus_desktop.engine.factory import open_backend
    from consensus_desktop.model_catalog import resolve_model
    from consensus_desktop.reward.select import reward_for

    pool = comments(args.polis, max(args.sizes) + N_CANDIDATES)
    candidates, opinions = pool[:N_CANDIDATES], pool[N_CANDIDATES:]
    question = load_conversation(args.polis / CONVERSATIONS[0]).topic or "What should we do?"
    offsets = np.random.default_rng(0).normal(0.0, 0.5, size=len(opinions))
    engine = open_backend(resolve_model(args.model))
    reward = reward_for(engine)
    print(f"data: {len(pool)} Polis comments; reward: {reward.version.label}")
    plenary_maths(reward, question, opinions[:20], candidates, offsets[:20])  # warm up
    seconds: dict[int, float] = {}
    for size in args.sizes:
        cpu, wall = plenary_maths(reward, question, opinions[:size], candidates, offsets[:size])
        seconds[size] = cpu
        print(
            f"{size} participants ({size // TABLE_SIZE} tables of {TABLE_SIZE}) x {N_CANDIDATES} "
            f"candidates: {cpu:.2f} CPU s, {wall:.2f} wall s"
        )
    reward.close()
    engine.close()
    small, mid, large = args.sizes
    print(f"growth {small}->{mid}: {seconds[mid] / seconds[small]:.2f} (linear {mid / small:g})")
    print(
        f"participants: {mid} seconds: {seconds[mid]:.2f} growth_{large}_{mid}: "
        f"{seconds[large] / seconds[mid]:.2f}"
    )


if __name__ == "__main__":
    main()
