"""Measure stance-aware predictions (reward/stance.py) on Polis votes and on a negation set.

    python build_scripts/measure_stance.py [--polis ../shared/data/polis] [--write-card]

Each conversation's position statement is its most divisive comment (among those with at least
half the votes of the most-voted one, the agree share closest to one half); a participant's
baseline is their vote on it (agree 6, disagree 2, no vote 4). (Measured alternatives, no better:
the most-voted comment as the position; plain cosine to the position as the stance.) Every other comment they voted on is a
candidate (label: their vote), as in reward training. The prediction is the shipped MiniLM cosine
(4 + 6 (cos - mean cos)) plus ``weight * stance * leaning``; ``weight`` is chosen on the English
training conversations (bowling-green, bg2050) and measured on the scoop-hivemind block.

Negation set (validation conversations): each author's own comment (part of their opinion) and
its negation by :func:`negate`; accuracy = share where the own comment is predicted higher (ties
half). "Hard" variant: the opinion is the author's other comments only (authors with two or more).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TRAIN = ("american-assembly.bowling-green", "bg2050-volunteers")
WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
CARD = ROOT / "models" / "reward_minilm_cosine.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--polis", type=Path, default=ROOT.parent / "shared" / "data" / "polis")
    parser.add_argument("--write-card", action="store_true", help=f"add the figures to {CARD}")
    args = parser.parse_args()

    from consensus_desktop.engine.engine import Engine
    from consensus_desktop.reward.minilm import minilm_path
    from consensus_desktop.reward.negation import negate
    from consensus_desktop.reward.polis_data import Conversation, load_conversation
    from consensus_desktop.reward.stance import candidate_stance, negated_position
    from consensus_desktop.reward.train_cli import _engine_embed
    from consensus_desktop.reward.training import EmbeddingCache, auc
    from consensus_desktop.screening import unit

    engine = Engine(minilm_path())
    cache = EmbeddingCache(engine.sha256, _engine_embed(engine))
    polis = args.polis
    val_names = sorted(p.name for p in polis.iterdir() if p.name.startswith("scoop-hivemind."))

    def emb(texts: list[str]) -> np.ndarray:
        return unit(cache.get(texts).astype(np.float64))

    def conversation_scores(conv: Conversation) -> dict[str, np.ndarray]:
        counts: dict[int, int] = {}
        agrees: dict[int, int] = {}
        for (_, cid), v in conv.votes.items():
            counts[cid] = counts.get(cid, 0) + 1
            agrees[cid] = agrees.get(cid, 0) + (v > 0)
        top = max(counts.values())
        pool = [c for c in conv.comments if counts.get(c, 0) >= top / 2]
        position = min(pool, key=lambda c: (abs(agrees[c] / counts[c] - 0.5), c))
        ids = [c for c in sorted(conv.comments) if c != position]
        c_emb = emb([conv.comments[c] for c in ids])
        p_text = conv.comments[position]
        p_emb, n_emb = emb([p_text, negated_position(p_text)])
        stance = dict(zip(ids, candidate_stance(c_emb, p_emb, n_emb), strict=True))
        row = {c: k for k, c in enumerate(ids)}
        base, lean, ys, who = [], [], [], []
        for person, cids in conv.opinions().items():
            op = unit(emb([conv.comments[c] for c in cids]).mean(axis=0))
            vote = conv.votes.get((person, position), 0)
            mine = [
                (c, y)
                for p, c, y in conv.pairs()
                if p == person and c in row and conv.authors.get(c) != person
            ]
            if not mine:
                continue
            cos = np.array([float(c_emb[row[c]] @ op) for c, _ in mine])
            base += list(4 + 6 * (cos - cos.mean()))
            lean += [
                stance[c] * (2 / 3 if vote > 0 else -2 / 3 if vote < 0 else 0.0) for c, _ in mine
            ]
            ys += [y for _, y in mine]
            who += [person] * len(mine)
        return {
            "base": np.array(base),
            "stance": np.array(lean),
            "y": np.array(ys),
            "who": np.array(who),
        }

    def metrics(sets: dict[str, dict[str, np.ndarray]], weight: float) -> dict[str, float]:
        per, within = {}, []
        for name, s in sets.items():
            pred = s["base"] + weight * s["stance"]
            per[name] = auc(pred, s["y"])
            for person in np.unique(s["who"]):
                m = s["who"] == person
                a = auc(pred[m], s["y"][m])
                if not np.isnan(a):
                    within.append(a)
        vals = [v for v in per.values() if not np.isnan(v)]
        return {
            "val_auc_mean": float(np.mean(vals)),
            "val_within_participant_auc": float(np.mean(within)),
            **{f"auc:{k}": v for k, v in per.items()},
        }

    train = {n: conversation_scores(load_conversation(polis / n)) for n in TRAIN}
    val = {n: conversation_scores(load_conversation(polis / n)) for n in val_names}
    fitted = {w: metrics(train, w)["val_auc_mean"] for w in WEIGHTS}
    best = max(WEIGHTS, key=lambda w: (round(fitted[w], 4), -w))
    print(
        "training conversations, mean AUC by weight: "
        + ", ".join(f"{w}: {a:.3f}" for w, a in fitted.items())
    )
    without, with_ = metrics(val, 0.0), metrics(val, best)
    print(
        f"validation without stance: AUC {without['val_auc_mean']:.3f} within {without['val_within_participant_auc']:.3f}"
    )
    print(
        f"validation with stance (weight {best}): AUC {with_['val_auc_mean']:.3f} within {with_['val_within_participant_auc']:.3f}"
    )

    # negation set
    easy, hard = [], []
    for n in val_names:
        conv = load_conversation(polis / n)
        by: dict[int, list[str]] = {}
        for cid in sorted(conv.comments):
            by.setdefault(conv.authors[cid], []).append(conv.comments[cid])
        for texts in by.values():
            for k, own in enumerate(texts[:2]):
                neg = negate(own)
                if neg is None:
                    continue
                others = [t for j, t in enumerate(texts) if j != k]
                o_all, o_other = " ".join(texts), " ".join(others)
                vec = emb([own, neg, o_all] + ([o_other] if others else []))
                easy.append(float(vec[0] @ vec[2]) - float(vec[1] @ vec[2]))
                if others:
                    hard.append(float(vec[0] @ vec[3]) - float(vec[1] @ vec[3]))
                break

    def acc(diffs: list[float]) -> float:
        d = np.array(diffs)
        return float(((d > 0) + 0.5 * (d == 0)).mean())

    print(
        f"negation set: own comment in the opinion {acc(easy):.3f} ({len(easy)} pairs); "
        f"opinion = other comments only {acc(hard):.3f} ({len(hard)} pairs)"
    )
    engine.close()
    if args.write_card:
        card = json.loads(CARD.read_text(encoding="utf-8"))
        card["stance"] = {
            "weight": best,
            "recipe": "position: most divisive comment; baseline: vote on it (6 / 2 / 4); "
            "stance = cos(c, position) - cos(c, negated position), standardised",
            "train_auc_by_weight": {str(w): a for w, a in fitted.items()},
            "metrics_without": without,
            "metrics_with": with_,
            "negation_acc_own_comment_in_opinion": acc(easy),
            "negation_pairs": len(easy),
            "negation_acc_other_comments_only": acc(hard),
            "negation_pairs_hard": len(hard),
            "measured_with": "python build_scripts/measure_stance.py --write-card",
        }
        CARD.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {CARD}")


if __name__ == "__main__":
    main()
