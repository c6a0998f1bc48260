"""Train the shipped reward head from the Polis data and write it to models/.

    python build_scripts/train_reward_head.py [--polis ../shared/data/polis] [--seed 0]
        [--out models/reward_head_gemma-3-270m.npz] [--model PATH]

Reproducible with a seed; validated on the whole scoop-hivemind conversations, which are never
used for training. Prints the validation figures that go into the head's card.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--polis", type=Path, default=ROOT.parent / "shared" / "data" / "polis")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "models" / "reward_head_gemma-3-270m.npz"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--model")
    args = parser.parse_args()

    from consensus_desktop.reward.train_cli import train_and_save

    return train_and_save(args.polis, args.out, args.model, args.seed, args.l2, [], print)


if __name__ == "__main__":
    sys.exit(main())
