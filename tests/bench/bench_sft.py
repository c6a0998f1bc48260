"""Benchmark: base model vs base + LoRA adapter on statements people endorsed, held out.

    python tests/bench/bench_sft.py --adapter ADAPTER.gguf [--model BASE.gguf] [--polis DIR]

Validation examples: the scoop-hivemind Polis conversations (never in `sft data`'s training set),
high-consensus comments as targets, built by the training rule. Figure: mean log-likelihood per
statement token given the prompt, through llama.cpp (the quantized model the app runs). The
quality side is ``tests/bench/bench_quality.py`` run twice, with and without ``--adapter``.

Last line: ``base_ll: B adapter_ll: A gain: A-B``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from consensus_desktop.engine.adapter_file import check_adapter
from consensus_desktop.model_catalog import resolve_model
from consensus_desktop.sft.validation import validate_model, validation_examples

POLIS = Path(__file__).resolve().parents[3] / "shared" / "data" / "polis"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--adapter", type=Path, required=True)
    parser.add_argument("--model")
    parser.add_argument("--polis", type=Path, default=POLIS)
    args = parser.parse_args()
    base = Path(resolve_model(args.model))
    check_adapter(args.adapter, base)
    examples = validation_examples(args.polis)
    print(f"model: {base.name}; adapter: {args.adapter.name}; {len(examples)} held-out statements")
    figures = {}
    for label, adapter in (("base", None), ("adapter", args.adapter)):
        start = time.perf_counter()
        v = validate_model(base, adapter, examples)
        figures[label] = v.mean_log_likelihood
        print(
            f"{label:>7}: mean log-likelihood per token {v.mean_log_likelihood:.4f} over "
            f"{v.tokens} tokens ({time.perf_counter() - start:.0f} s)"
        )
    gain = figures["adapter"] - figures["base"]
    print(f"base_ll: {figures['base']:.4f} adapter_ll: {figures['adapter']:.4f} gain: {gain:+.4f}")


if __name__ == "__main__":
    main()
