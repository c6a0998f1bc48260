"""Sample the held-out stance benchmark (tests/bench/data/stance_heldout.csv) from IBM Debater ArgKP.

    python build_scripts/make_stance_bench.py --argkp DIR

ArgKP's dev and test topics (7; the stance model trains on its 24 train topics only), 20 pro and
20 con arguments each, seeded. Data: (c) IBM 2020, CDLA-Sharing 1.0 (see the folder's README).
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "bench" / "data" / "stance_heldout.csv"
PER_SIDE = 20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--argkp", type=Path, required=True)
    args = parser.parse_args()
    rows = []
    for name in ("arguments_dev.csv", "arguments_test.csv"):
        with (args.argkp / name).open(encoding="utf-8") as f:
            rows += list(csv.DictReader(f))
    rng = random.Random(29)
    picked = []
    for topic in sorted({r["topic"] for r in rows}):
        for stance in ("1", "-1"):
            pool = [r for r in rows if r["topic"] == topic and r["stance"] == stance]
            picked += sorted(rng.sample(pool, PER_SIDE), key=lambda r: r["arg_id"])
    with OUT.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["arg_id", "argument", "topic", "stance"])
        w.writeheader()
        w.writerows({k: r[k] for k in ("arg_id", "argument", "topic", "stance")} for r in picked)
    print(f"wrote {len(picked)} rows to {OUT}")


if __name__ == "__main__":
    main()
