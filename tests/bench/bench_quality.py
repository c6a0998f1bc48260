"""Benchmark: what the room would see, on opinion sets built from real Polis conversations.

    python tests/bench/bench_quality.py [--sets 20] [--n 16] [--model PATH] [--adapter A.gguf]
        [--out FILE.json]
        [--template VERSION] [--temperature T] [--top-p P] [--max-tokens K]
        [--no-group-opening]

Sets: the English conversations in ../shared/data/polis with at least 8 authors (six), four
sets each (the first 20 by default); each set draws 5-8 participants who wrote comments (fixed seeds), each participant's own
comments (up to two, 300 characters) as their opinion, the conversation's topic as the question.
Each set runs the whole pipeline with the default model and N candidates (seed fixed per set).

Per set and overall:
- valid: share of drawn samples that became candidates (cleaning and filters passed);
- near_dup: share of shortlist pairs that are near-duplicates (``screening.NEAR_DUPLICATE``);
- off_topic: share of candidates off the question (``screening.OFF_TOPIC``), judged with
  all-MiniLM-L6-v2 embeddings;
- the top-ranked candidate at alpha = 0 and alpha = inf;
- coverage: mean over candidates of the lowest cosine to any one opinion (how near a statement
  comes to the participant it serves worst; one-sided statements score low; shortlist_coverage:
  the best such figure among the shortlisted statements), trade_off: share
  of candidates that name a trade-off or a condition ("but", "while", "as long as", …),
  pool_dup: share of candidate pairs that are near-duplicates (diversity of the pool, before
  folding), words: mean statement length, drawn_off: share of drawn samples rejected as off the
  question or as a copy of a prompt example; and the rejected samples counted by reason;
- negation: for each participant with a comment that :func:`negate` can flip, whether the
  prediction for that participant ranks their own comment above its negation (ties count half);
- the faults of ``consensus_desktop/signable.py`` (first_person, self_contradiction, repetition,
  one_voice, platitude): share of the shortlisted statements with each (all sets pooled), and
  ``drawn_*``: share of all drawn samples with a complete sentence (candidates and rejected
  samples) with each, i.e. how often the model writes them before the gate.

Last line: ``valid: V near_dup: D off_topic: O negation_acc: A first_person: F
self_contradiction: S repetition: R one_voice: O platitude: P`` (the faults in the shortlist).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from consensus_desktop.engine.types import DEFAULT_TEMPERATURE

# ../shared next to the checkout (a worktree may sit one folder deeper)
POLIS = next(
    (
        p / "shared" / "data" / "polis"
        for p in Path(__file__).resolve().parents[3:5]
        if (p / "shared" / "data" / "polis").is_dir()
    ),
    Path("../shared/data/polis"),
)
ENGLISH = (
    "american-assembly.bowling-green",
    "bg2050-volunteers",
    "scoop-hivemind.affordable-housing",
    "scoop-hivemind.biodiversity",
    "scoop-hivemind.freshwater",
    "scoop-hivemind.taxes",
    "scoop-hivemind.ubi",
)
SETS_PER_CONVERSATION = 4
MAX_COMMENTS, MAX_CHARS, MIN_WORDS = 2, 300, 6
SHORTLIST_K = 4
# a statement that names a trade-off or a condition, the way a bridging statement does
TRADE_OFF = re.compile(
    r"\b(?:but|while|whereas|although|though|however|as long as|provided|only if|unless|"
    r"balance[ds]?|at the same time|both|without|instead)\b",
    re.IGNORECASE,
)
# samples the model wrote off the question (the filter's verdicts, before top-up)
OFF_REASONS = ("off the question", "copies an example of the prompt")


@dataclass(frozen=True)
class OpinionSet:
    name: str
    question: str
    opinions: tuple[str, ...]
    own: tuple[str, ...]  # per participant: a comment of theirs that negate() flips, or ""
    seed: int


def _topic(folder: Path) -> str:
    with (folder / "summary.csv").open(newline="", encoding="utf-8") as fh:
        rows = {r[0]: r[1] for r in csv.reader(fh) if len(r) >= 2}
    return " ".join(rows.get("topic", folder.name).split())


def build_sets(root: Path, n_sets: int) -> list[OpinionSet]:
    from consensus_desktop.reward.negation import negate
    from consensus_desktop.reward.polis_data import load_conversation

    pools: list[tuple[str, Path, dict[int, list[str]]]] = []
    for name in ENGLISH:
        folder = root / name
        conv = load_conversation(folder)
        by_author: dict[int, list[str]] = {}
        for cid in sorted(conv.comments):
            text = conv.comments[cid]
            if len(text.split()) >= MIN_WORDS:
                by_author.setdefault(conv.authors[cid], []).append(text)
        if len(by_author) >= 8:  # freshwater has too few authors for 5-8 participants
            pools.append((name, folder, by_author))
    sets: list[OpinionSet] = []
    for k in range(SETS_PER_CONVERSATION):
        for name, folder, by_author in pools:
            rng = random.Random(f"{name}-{k}")
            authors = sorted(by_author)
            people = rng.sample(authors, rng.randint(5, 8))
            opinions, own = [], []
            for a in people:
                comments = by_author[a][:MAX_COMMENTS]
                text = " ".join(comments)
                if len(text) > MAX_CHARS:
                    text = text[:MAX_CHARS].rsplit(" ", 1)[0]
                opinions.append(text)
                own.append(next((c for c in comments if c in opinions[-1] and negate(c)), ""))
            sets.append(
                OpinionSet(f"{name}#{k + 1}", _topic(folder), tuple(opinions), tuple(own), 100 + k)
            )
    return sets[:n_sets]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", type=int, default=20, help="opinion sets (default 20)")
    parser.add_argument("--n", type=int, default=16, help="candidates per set (default 16)")
    parser.add_argument("--model")
    parser.add_argument("--adapter", type=Path, help="a LoRA adapter GGUF for the model")
    parser.add_argument("--template", help="prompt template version (default: the app's)")
    parser.add_argument("--temperature", type=float, default=DEFAULT_TEMPERATURE)
    parser.add_argument("--top-p", type=float, default=0.95)
    parser.add_argument("--max-tokens", type=int, default=60)
    parser.add_argument("--polis", type=Path, default=POLIS)
    parser.add_argument("--out", type=Path, help="write per-set details as JSON")
    parser.add_argument(
        "--no-group-opening",
        action="store_true",
        help="let samples open in the first person (rejection by the gate alone)",
    )
    args = parser.parse_args()

    from consensus_desktop.engine.batch_generate import Progress
    from consensus_desktop.engine.engine import Engine
    from consensus_desktop.model_catalog import resolve_model
    from consensus_desktop.pipeline import RunResult, rank, run
    from consensus_desktop.reward.minilm import minilm_path
    from consensus_desktop.reward.negation import negate
    from consensus_desktop.reward.select import reward_for
    from consensus_desktop.run_request import RunRequest
    from consensus_desktop.screening import coverage, near_duplicate_share, off_topic
    from consensus_desktop.signable import FAULTS, faults

    sets = build_sets(args.polis, args.sets)
    model = resolve_model(args.model)
    if args.adapter is not None:
        from consensus_desktop.engine.adapter_file import check_adapter

        check_adapter(args.adapter, Path(model))
    engine = Engine(model, adapter=args.adapter)
    engine.generator.open_as_group = not args.no_group_opening
    reward = reward_for(engine)
    judge = Engine(minilm_path())

    def embed(texts: list[str]) -> np.ndarray:
        out = None
        for ev in judge.embed(texts):
            if not isinstance(ev, Progress):
                out = ev
        assert out is not None
        return np.asarray(out)

    print(f"model: {engine.info.label}; reward: {reward.version.label}; sets: {len(sets)}")
    rows = []
    for s in sets:
        request = RunRequest(
            s.question,
            s.opinions,
            n=args.n,
            seed=s.seed,
            shortlist_k=SHORTLIST_K,
            temperature=args.temperature,
            top_p=args.top_p,
            max_tokens=args.max_tokens,
            **({"template": args.template} if args.template else {}),
        )
        result = None
        for ev in run(engine, reward, request):
            if isinstance(ev, RunResult):
                result = ev
        assert result is not None
        texts = [c.text for c in result.generated]
        cand_emb = embed(texts)
        ctx_emb = embed([s.question, *s.opinions])
        shortlist = [result.candidates[i].text for i in result.shortlist_ranked()]
        short_emb = embed(shortlist)
        near = near_duplicate_share(short_emb)
        short_cover = float(coverage(short_emb, ctx_emb[1:]).max())
        off = float(off_topic(cand_emb, ctx_emb).mean())
        cover = float(coverage(cand_emb, ctx_emb[1:]).mean())
        pool_dup = near_duplicate_share(cand_emb)
        words = float(np.mean([len(t.split()) for t in texts]))
        trade_off = float(np.mean([bool(TRADE_OFF.search(t)) for t in texts]))
        valid = result.report.found / max(result.report.attempts, 1)
        top0 = result.candidates[0].text
        top_inf = texts[int(rank(result.agreement, math.inf)[0][0])]
        pairs = [(j, o, negate(o)) for j, o in enumerate(s.own) if o]
        statements = [t for _, o, n in pairs for t in (o, n or "")]
        hits: list[float] = []
        if pairs:
            matrix = None
            for ev in reward.predict(s.question, s.opinions, statements):
                if not isinstance(ev, Progress):
                    matrix = np.asarray(ev)
            assert matrix is not None
            for p, (j, _, _) in enumerate(pairs):
                own, neg = matrix[2 * p, j], matrix[2 * p + 1, j]
                hits.append(1.0 if own > neg else 0.5 if own == neg else 0.0)
        neg_acc = float(np.mean(hits)) if hits else float("nan")
        row = {
            "set": s.name,
            "participants": len(s.opinions),
            "valid": valid,
            "near_dup": near,
            "off_topic": off,
            "negation_acc": neg_acc,
            "negation_pairs": len(hits),
            "coverage": cover,
            "shortlist_coverage": short_cover,
            "pool_dup": pool_dup,
            "drawn": result.report.attempts,
            "drawn_off": sum(r.reason in OFF_REASONS for r in result.rejected),
            "words": words,
            "trade_off": trade_off,
            "candidates": texts,
            "top_alpha_0": top0,
            "top_alpha_inf": top_inf,
            "shortlist": shortlist,
            "rejected": [[r.text, r.reason] for r in result.rejected],
            # per fault: [in the shortlist, shortlisted, in drawn samples, drawn samples]
            "faults": _fault_counts(
                faults, FAULTS, s.question, s.opinions, shortlist, texts, result.rejected
            ),
        }
        rows.append(row)
        print(
            f"{s.name:40} m={len(s.opinions)} valid {valid:.2f} near_dup {near:.2f} "
            f"off_topic {off:.2f} coverage {cover:.3f} trade_off {trade_off:.2f} "
            f"pool_dup {pool_dup:.3f} words {words:.0f} "
            f"negation {neg_acc:.2f} ({len(hits)} pairs) "
            f"rejected {len(result.rejected)}\n"
            f"    alpha=0:   {top0}\n    alpha=inf: {top_inf}",
            flush=True,
        )
    reward.close()
    judge.close()
    engine.close()
    total_pairs = sum(r["negation_pairs"] for r in rows)
    neg_all = (
        sum(r["negation_acc"] * r["negation_pairs"] for r in rows if r["negation_pairs"])
        / total_pairs
        if total_pairs
        else float("nan")
    )
    overall = {
        "valid": float(np.mean([r["valid"] for r in rows])),
        "near_dup": float(np.mean([r["near_dup"] for r in rows])),
        "off_topic": float(np.mean([r["off_topic"] for r in rows])),
        "negation_acc": neg_all,
        "negation_pairs": total_pairs,
        "coverage": float(np.mean([r["coverage"] for r in rows])),
        "words": float(np.mean([r["words"] for r in rows])),
        "trade_off": float(np.mean([r["trade_off"] for r in rows])),
        "shortlist_coverage": float(np.mean([r["shortlist_coverage"] for r in rows])),
        "pool_dup": float(np.mean([r["pool_dup"] for r in rows])),
        "drawn_off": sum(r["drawn_off"] for r in rows) / max(sum(r["drawn"] for r in rows), 1),
        "rejected": dict(
            Counter(reason for r in rows for _, reason in r["rejected"]).most_common()
        ),
    }
    for f in FAULTS:
        got = np.sum([r["faults"][f] for r in rows], axis=0)
        overall[f] = float(got[0] / max(got[1], 1))
        overall[f"drawn_{f}"] = float(got[2] / max(got[3], 1))
    if args.out:
        args.out.write_text(json.dumps({"overall": overall, "sets": rows}, indent=2) + "\n")
    print(f"negation pairs: {total_pairs}", file=sys.stderr)
    print(f"rejected: {overall['rejected']}")
    print(
        f"coverage: {overall['coverage']:.3f} shortlist_coverage: "
        f"{overall['shortlist_coverage']:.3f} trade_off: {overall['trade_off']:.3f} "
        f"pool_dup: {overall['pool_dup']:.3f} "
        f"drawn_off: {overall['drawn_off']:.3f} "
        f"words: {overall['words']:.1f}"
    )
    print(" ".join(f"drawn_{f}: {overall[f'drawn_{f}']:.3f}" for f in FAULTS))
    print(
        f"valid: {overall['valid']:.3f} near_dup: {overall['near_dup']:.3f} "
        f"off_topic: {overall['off_topic']:.3f} negation_acc: {overall['negation_acc']:.3f} "
        + " ".join(f"{f}: {overall[f]:.3f}" for f in FAULTS)
    )


def _fault_counts(
    faults: Callable[[str, str, Sequence[str]], dict[str, bool]],
    names: Sequence[str],
    question: str,
    opinions: Sequence[str],
    shortlist: Sequence[str],
    candidates: Sequence[str],
    rejected: Sequence[Any],
) -> dict[str, list[int]]:
    """Per fault: [shortlisted with it, shortlisted, drawn samples with it, drawn samples]; the
    drawn samples are the candidates and the rejected samples that have a complete sentence."""
    from consensus_desktop.engine.cleaning import clean_candidate

    drawn = [*candidates, *(t for r in rejected if (t := clean_candidate(r.text)))]
    short = [faults(t, question, opinions) for t in shortlist]
    every = [faults(t, question, opinions) for t in drawn]
    return {
        f: [sum(x[f] for x in short), len(short), sum(x[f] for x in every), len(every)]
        for f in names
    }


if __name__ == "__main__":
    main()
