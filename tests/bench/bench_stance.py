"""Benchmark: can predicted agreement tell which side of a yes/no question a statement is on?

    python tests/bench/bench_stance.py [--data tests/bench/data/stance_heldout.csv]

Held-out real answers (IBM Debater ArgKP dev + test topics, 7 propositions, 20 pro and 20 con
each; the stance model never saw these topics). Per question, every answer is a participant's
opinion and every other answer a candidate statement; label = the two are on the same side.
Two variants: "stance" (each answer led by a stance sentence, "Yes, I think …" / "No, I do not
think …", wording not used in training) and "implicit" (the answer as written: the side is in
the reasons). The question ("Should we …?") is the only context: no position statement, no
baseline ratings. ROC-AUC per question and overall (pooled over the questions' pairs), for
today's reward (MiniLM cosine) and the stance-aware one, then the seconds each takes to score 16
candidates x 12 people (one run, same machine). Last line:
``stance_auc: A implicit_auc: B baseline_stance_auc: … baseline_implicit_auc: …``.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from consensus_desktop.engine.types import Progress

DATA = Path(__file__).resolve().parent / "data" / "stance_heldout.csv"


def explicit(topic: str, argument: str, pro: bool) -> str:
    p = topic.strip().rstrip(".")
    p = p if p[1:2].isupper() else p[:1].lower() + p[1:]
    lead = f"Yes, I think {p}." if pro else f"No, I do not think {p}."
    return f"{lead} {argument.strip()}"


def last(events: Iterable[object]) -> np.ndarray:
    out = None
    for e in events:
        if not isinstance(e, Progress):
            out = e
    assert out is not None
    return np.asarray(out)


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    s = scores[order]
    i = 0
    while i < len(s):  # average ranks over ties
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    pos = labels == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def pairs(matrix: np.ndarray, sides: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores and same-side labels of every (candidate j, participant i), i != j."""
    same = sides[:, None] == sides[None, :]
    off = ~np.eye(len(sides), dtype=bool)
    return matrix[off], same[off].astype(int)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument(
        "--write-card", action="store_true", help="record the figures in the stance model's card"
    )
    args = parser.parse_args()
    from consensus_desktop.engine.factory import open_backend
    from consensus_desktop.reward.minilm import minilm_path
    from consensus_desktop.reward.minilm_cosine import MiniLMCosineReward
    from consensus_desktop.reward.select import stance_reward
    from consensus_desktop.reward.stance_model import as_question

    with args.data.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    topics = sorted({r["topic"] for r in rows})
    today = MiniLMCosineReward(open_backend(minilm_path()))
    new = stance_reward()  # without the stance files: today's reward again (logged)
    rewards = {"today": today, "new": new}
    print(f"today: {today.version.label}; new: {new.version.label}")
    pooled: dict[tuple[str, str], list[np.ndarray]] = {}
    per_question: dict[str, float] = {}
    for topic in topics:
        sub = [r for r in rows if r["topic"] == topic]
        sides = np.array([r["stance"] == "1" for r in sub])
        question = as_question(topic)
        variants = {
            "stance": [explicit(topic, r["argument"], s) for r, s in zip(sub, sides, strict=True)],
            "implicit": [r["argument"].strip() for r in sub],
        }
        line = [f"{question[:60]:60s}"]
        for variant, texts in variants.items():
            for name, reward in rewards.items():
                m = last(reward.predict(question, texts, texts))  # candidates x participants
                s, y = pairs(m, sides)
                pooled.setdefault((name, variant), []).append(np.stack([s, y]))
                a = auc(s, y)
                per_question[f"{variant}/{name}:{question}"] = a
                line.append(f"{variant}/{name} {a:.3f}")
        print("  ".join(line))
    overall = {}
    for key, parts in pooled.items():
        both = np.concatenate(parts, axis=1)
        overall[key] = auc(both[0], both[1].astype(int))
    n_pairs = sum(p.shape[1] for p in pooled[("today", "stance")])
    print(f"overall ({len(topics)} questions, {n_pairs} pairs per variant):")
    for variant in ("stance", "implicit"):
        print(
            f"  {variant}: today {overall[('today', variant)]:.3f} -> new {overall[('new', variant)]:.3f}"
        )
    texts = [r["argument"] for r in rows]
    ops, cands = texts[:12], texts[100:116]
    q = as_question(topics[0])
    seconds_by = {}
    for name, reward in rewards.items():
        last(reward.predict(q, ops[:2], cands[:2]))  # warm up
        t0 = time.perf_counter()
        m = last(reward.predict(q, ops, cands))
        seconds = time.perf_counter() - t0
        assert m.shape == (16, 12)
        seconds_by[name] = seconds
        print(f"seconds for 16 candidates x 12 people, {name}: {seconds:.2f}")
    for reward in rewards.values():
        reward.close()
    if args.write_card:
        import json

        from consensus_desktop.model_catalog import shipped_data_dir
        from consensus_desktop.reward.stance_model import CARD

        path = shipped_data_dir() / CARD
        card = json.loads(path.read_text(encoding="utf-8"))
        card["bench"] = {
            "stance_auc": overall[("new", "stance")],
            "implicit_auc": overall[("new", "implicit")],
            "baseline_stance_auc": overall[("today", "stance")],
            "baseline_implicit_auc": overall[("today", "implicit")],
            "per_question": per_question,
            "seconds_16x12": seconds_by,
            "pairs_per_variant": n_pairs,
            "measured_with": "python tests/bench/bench_stance.py --write-card",
        }
        path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(
        f"stance_auc: {overall[('new', 'stance')]:.3f} implicit_auc: {overall[('new', 'implicit')]:.3f} "
        f"baseline_stance_auc: {overall[('today', 'stance')]:.3f} "
        f"baseline_implicit_auc: {overall[('today', 'implicit')]:.3f}"
    )


if __name__ == "__main__":
    main()
