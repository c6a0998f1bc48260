"""Compare reward methods on whole held-out Polis conversations (uses the embedding cache).

    python build_scripts/compare_reward_methods.py [--polis ../shared/data/polis] [--model PATH]

Prints mean per-conversation ROC-AUC and within-participant AUC on the scoop-hivemind block, and
a leave-one-conversation-out check over the training block, for: the zero-shot centred cosine,
the head with participant/statement offsets absorbed in training, and the head without them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--polis", type=Path, default=ROOT.parent / "shared" / "data" / "polis")
    parser.add_argument("--model")
    parser.add_argument("--quick", action="store_true", help="skip fitting heads")
    parser.add_argument(
        "--embedder",
        choices=["generator", "minilm"],
        default="generator",
        help="embeddings from the generator GGUF or from all-MiniLM-L6-v2",
    )
    parser.add_argument(
        "--write-card",
        type=Path,
        help="with --embedder minilm: write the zero-shot cosine card here",
    )
    args = parser.parse_args()
    import numpy as np

    from consensus_desktop.engine.factory import open_backend
    from consensus_desktop.model_catalog import resolve_model
    from consensus_desktop.reward.polis_data import load_all, split
    from consensus_desktop.reward.train_cli import _engine_embed
    from consensus_desktop.reward.training import (
        EmbeddingCache,
        conversation_pairs,
        cosine_scorer,
        evaluate,
        evaluate_with_room_bias,
        fit_head,
        head_scorer,
    )

    if args.embedder == "minilm":
        from consensus_desktop.reward.minilm import minilm_path

        engine = open_backend(minilm_path())
    else:
        engine = open_backend(resolve_model(args.model))
    print(f"embeddings from {engine.info.file_name}")
    cache = EmbeddingCache(engine.sha256, _engine_embed(engine))
    train, val = split(load_all(args.polis))
    sets = {c.name: conversation_pairs(c, cache) for c in train + val}
    tr = [sets[c.name] for c in train]
    va = [sets[c.name] for c in val]

    def row(label: str, m: dict[str, float]) -> None:
        print(
            f"{label:<44} AUC {m['val_auc_mean']:.3f}   within-participant {m['val_within_participant_auc']:.3f}"
        )

    print(f"validation: {', '.join(s.name for s in va)} ({sum(len(s.y) for s in va)} pairs)")
    row("zero-shot cosine (centred embeddings)", evaluate(cosine_scorer, va))
    raw_val = [conversation_pairs(c, cache, centre=False) for c in val]
    raw_train = [conversation_pairs(c, cache, centre=False) for c in train]
    uncentred = evaluate(cosine_scorer, raw_val)
    on_training_block = evaluate(cosine_scorer, raw_train)
    row("zero-shot cosine (plain unit embeddings)", uncentred)
    row("  same, on the training block (zero-shot)", on_training_block)
    if args.write_card and args.embedder == "minilm":
        import json

        from consensus_desktop.reward.minilm_cosine import METHOD
        from consensus_desktop.reward.polis_data import ATTRIBUTION

        card = {
            "method": METHOD,
            "encoder": engine.info.file_name,
            "encoder_sha256": engine.sha256,
            "metrics": uncentred,
            "training_block_metrics": on_training_block,
            "validation_conversations": [c.name for c in val],
            "measured_with": "python build_scripts/compare_reward_methods.py --embedder minilm",
            "data": ATTRIBUTION,
            "note": "English model: near chance on the German and Chinese conversations.",
        }
        args.write_card.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.write_card}")
    for k in (1, 3, 5):
        row(
            f"cosine + bias from {k} in-room rating(s)",
            evaluate_with_room_bias(cosine_scorer, va, k),
        )
    if args.quick:
        return
    for offsets in (True, False):
        w, b = fit_head(tr, l2=1.0, offsets=offsets, steps=150)
        row(f"head [cos, o*c], offsets in training={offsets}", evaluate(head_scorer(w, b), va))
    print("leave-one-conversation-out over the training block (head with offsets vs cosine):")
    loo, cos = [], []
    for held in tr:
        w, b = fit_head([s for s in tr if s is not held], l2=1.0, steps=150)
        m = evaluate(head_scorer(w, b), [held])
        c = evaluate(cosine_scorer, [held])
        loo.append(m["val_auc_mean"])
        cos.append(c["val_auc_mean"])
        print(f"  {held.name:<40} head {m['val_auc_mean']:.3f}  cosine {c['val_auc_mean']:.3f}")
    print(
        f"  mean                                     head {np.nanmean(loo):.3f}  cosine {np.nanmean(cos):.3f}"
    )
    engine.close()


if __name__ == "__main__":
    main()
