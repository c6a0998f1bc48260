"""Fit the stance weight of reward/stance_reward.py on ArgKP *training* topics; write it to the card.

    python build_scripts/fit_stance_weight.py --argkp DIR [--per-side 20]

Same pairs as tests/bench/bench_stance.py (both variants), but from ``arguments_train.csv``
(topics the stance model trained on; the benchmark's topics are never used here). The weight
maximising the pooled same-side ROC-AUC of ``cosine agreement + w * s_c * s_o`` over a grid (at
most 3 Likert points) goes to ``models/stance_minilm.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "bench"))

from bench_stance import auc, explicit, last, pairs  # noqa: E402

GRID = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--argkp", type=Path, required=True)
    parser.add_argument("--per-side", type=int, default=20)
    args = parser.parse_args()
    from consensus_desktop.engine.factory import open_backend
    from consensus_desktop.model_catalog import shipped_data_dir
    from consensus_desktop.reward.minilm import minilm_path
    from consensus_desktop.reward.minilm_cosine import MiniLMCosineReward
    from consensus_desktop.reward.stance_model import (
        CARD,
        GGUF,
        HEAD,
        StanceHead,
        StanceModel,
        as_question,
        side,
    )

    folder = shipped_data_dir()
    cosine = MiniLMCosineReward(open_backend(minilm_path()))
    stance = StanceModel(open_backend(folder / GGUF), StanceHead.load(folder / HEAD))
    with (args.argkp / "arguments_train.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rng = random.Random(29)
    parts: dict[float, list[np.ndarray]] = {w: [] for w in GRID}
    for topic in sorted({r["topic"] for r in rows}):
        sub = []
        for s in ("1", "-1"):
            sub += rng.sample(
                [r for r in rows if r["topic"] == topic and r["stance"] == s], args.per_side
            )
        sides = np.array([r["stance"] == "1" for r in sub])
        question = as_question(topic)
        for texts in (
            [explicit(topic, r["argument"], s) for r, s in zip(sub, sides, strict=True)],
            [r["argument"].strip() for r in sub],
        ):
            base = last(cosine.predict(question, texts, texts))
            s_side = side(last(stance.probabilities(question, texts)))
            for w in GRID:
                m = np.clip(base + w * np.outer(s_side, s_side), 1.0, 7.0)
                parts[w].append(np.stack(pairs(m, sides)))
        print(topic, flush=True)
    fitted = {}
    for w in GRID:
        both = np.concatenate(parts[w], axis=1)
        fitted[w] = auc(both[0], both[1].astype(int))
    best = max(GRID, key=lambda w: (round(fitted[w], 3), -w))
    print(
        "training topics, AUC by weight: " + ", ".join(f"{w}: {a:.3f}" for w, a in fitted.items())
    )
    print(f"weight: {best}")
    path = folder / CARD
    card = json.loads(path.read_text(encoding="utf-8"))
    card["weight"] = best
    card["train_auc_by_weight"] = {str(w): a for w, a in fitted.items()}
    card["weight_fitted_with"] = "python build_scripts/fit_stance_weight.py --argkp …"
    path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    cosine.close()
    stance.close()


if __name__ == "__main__":
    main()
