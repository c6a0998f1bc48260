"""Benchmark: welfare winners for 100 alphas and the exact breakpoints, vectorised vs plain Python.

    python tests/bench/bench_welfare.py [--candidates 1000] [--participants 200]

Both versions compute the same thing on the same random 1–7 ratings: the W_alpha winner for 100
alpha values (0 … inf) and the alpha breakpoints where the winner changes. The script checks that
they agree before it prints the last line ``speedup: X.XX`` (plain Python time / numpy time).
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from consensus_desktop.welfare.isoelastic import winner
from consensus_desktop.welfare.tradeoff import alpha_from_t, winner_stretches
from consensus_desktop.welfare.utilities import likert_to_utility


def alphas_grid(k: int = 100) -> list[float]:
    return [alpha_from_t(t) for t in np.linspace(0.0, 1.0, k)]


def numpy_version(u: np.ndarray, alphas: list[float]) -> tuple[list[int], tuple[float, ...]]:
    winners = [winner(u, a) for a in alphas]
    return winners, tuple(s.alpha_from for s in winner_stretches(u)[1:])


def py_welfare(row: list[float], alpha: float) -> float:
    n = len(row)
    if math.isinf(alpha):
        return min(row)
    if alpha == 0:
        return sum(row) / n
    if abs(alpha - 1) < 1e-9:
        return math.exp(sum(math.log(x) for x in row) / n)
    e = 1 - alpha
    ref = max(row) if e > 0 else min(row)
    return ref * math.exp(math.log(sum((x / ref) ** e for x in row) / n) / e)


def py_winner(rows: list[list[float]], cands: list[int], alpha: float) -> int:
    """Highest welfare; ties (within 1e-12) by leximin, then the lower index."""
    scored = [(py_welfare(rows[c], alpha), c) for c in cands]
    best = max(w for w, _ in scored)
    tied = [c for w, c in scored if w >= best - 1e-12]
    return min(tied, key=lambda c: ([-x for x in sorted(rows[c])], c))


def python_version(u: np.ndarray, alphas: list[float]) -> tuple[list[int], tuple[float, ...]]:
    """The same computation in loops: no numpy in the hot path."""
    rows = u.tolist()
    everyone = list(range(len(rows)))
    winners = [py_winner(rows, everyone, a) for a in alphas]
    # exact breakpoints by the same method: Lorenz pruning, grid bracketing, bisection
    cums = []
    for r in rows:
        acc, c = 0.0, []
        for x in sorted(r):
            acc += x
            c.append(acc)
        cums.append(c)
    kept: list[int] = []
    for i in sorted(everyone, key=lambda i: (-cums[i][-1], i)):
        if any(all(a >= b for a, b in zip(cums[k], cums[i], strict=True)) for k in kept):
            continue
        kept.append(i)
    kept.sort()

    def at(t: float) -> int:
        return py_winner(rows, kept, alpha_from_t(t))

    grid = 512
    ts = [k / grid for k in range(grid + 1)]
    ws = [at(t) for t in ts]
    breaks: list[float] = []
    for k in range(grid):
        stack = [(ts[k], ts[k + 1], ws[k], ws[k + 1])]
        found = []
        while stack:
            a, b, wa, wb = stack.pop()
            if wa == wb:
                continue
            if b - a <= 1e-12:
                found.append((b, wb))
                continue
            m = (a + b) / 2
            wm = at(m)
            stack += [(m, b, wm, wb), (a, m, wa, wm)]
        breaks += [alpha_from_t(t) for t, _ in sorted(found)]
    return winners, tuple(breaks)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    ratings = rng.integers(1, 8, size=(args.candidates, args.participants)).astype(float)
    # three strong candidates so that the winner really changes with alpha: one loved by most but
    # rejected by a fifth, one good for nearly all, one acceptable to everyone
    p = args.participants
    ratings[0] = np.where(np.arange(p) < p // 5, 1, 7)
    ratings[1] = np.where(np.arange(p) < p // 10, 3, 6)
    ratings[2] = 5
    u = likert_to_utility(ratings)
    alphas = alphas_grid()

    t0 = time.perf_counter()
    fast = numpy_version(u, alphas)
    t_np = time.perf_counter() - t0
    t0 = time.perf_counter()
    slow = python_version(u, alphas)
    t_py = time.perf_counter() - t0

    assert fast[0] == slow[0], "the two versions disagree on the winners"
    assert len(fast[1]) == len(slow[1]) and np.allclose(fast[1], slow[1], rtol=1e-6), (
        fast[1],
        slow[1],
    )
    print(f"{args.candidates} candidates x {args.participants} participants, 100 alphas")
    print(f"winners: {sorted(set(fast[0]))}; breakpoints: {[round(b, 4) for b in fast[1]]}")
    print(f"numpy: {t_np * 1000:.1f} ms   plain Python: {t_py * 1000:.1f} ms (same results)")
    print(f"speedup: {t_py / t_np:.2f}")


if __name__ == "__main__":
    main()
