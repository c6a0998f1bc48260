"""Train and validate the reward head on Polis votes (and on ratings logged in sessions).

Validation is always on whole conversations the head never saw (the scoop-hivemind block):
random pair splits inflate AUC by 0.1–0.2 because they leak who agrees with what.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from consensus_desktop import paths
from consensus_desktop.engine.types import Progress
from consensus_desktop.reward.head import (
    RewardHead,
    pair_features,
    sigmoid,
    unit_centred,
    unit_length,
)
from consensus_desktop.reward.polis_data import Conversation

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass
class PairSet:
    """One conversation's pairs as aligned unit-vector rows, labels and grouping keys."""

    name: str
    o: np.ndarray
    c: np.ndarray
    y: np.ndarray
    participant: np.ndarray
    statement: np.ndarray


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC-AUC by ranks (ties averaged); NaN when only one class is present."""
    labels = labels.astype(bool)
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


class EmbeddingCache:
    """Embeddings by text hash, on disk per base model, so retraining does not re-embed."""

    def __init__(self, model_sha256: str, embed: Embed) -> None:
        self.path = paths.cache_dir() / "embeddings" / f"{model_sha256[:16]}.npz"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.embed = embed
        self.table: dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path) as data:
                self.table = {k: data[k] for k in data.files}

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def get(self, texts: Sequence[str]) -> np.ndarray:
        missing = sorted({t for t in texts if self.key(t) not in self.table})
        if missing:
            vectors = self.embed(missing)
            for t, v in zip(missing, vectors, strict=True):
                self.table[self.key(t)] = v.astype(np.float32)
            np.savez(self.path, **self.table)  # type: ignore[arg-type]
        return np.stack([self.table[self.key(t)] for t in texts])


def conversation_pairs(conv: Conversation, cache: EmbeddingCache, centre: bool = True) -> PairSet:
    ids = sorted(conv.comments)
    raw = cache.get([conv.comments[i] for i in ids])
    emb = unit_centred(raw) if centre else unit_length(raw)
    row = {cid: k for k, cid in enumerate(ids)}
    ops = conv.opinions()
    op_vec = {}
    for person, cids in ops.items():
        v = emb[[row[c] for c in cids if c in row]].mean(axis=0)
        op_vec[person] = v / max(float(np.linalg.norm(v)), 1e-9)
    pairs = [p for p in conv.pairs() if p[0] in op_vec]
    return PairSet(
        conv.name,
        np.stack([op_vec[p] for p, _, _ in pairs]) if pairs else np.zeros((0, emb.shape[1])),
        np.stack([emb[row[c]] for _, c, _ in pairs]) if pairs else np.zeros((0, emb.shape[1])),
        np.array([y for _, _, y in pairs], dtype=np.float32),
        np.array([hash((conv.name, p)) for p, _, _ in pairs], dtype=np.int64),
        np.array([hash((conv.name, c)) for _, c, _ in pairs], dtype=np.int64),
    )


def evaluate(score: Callable[[PairSet], np.ndarray], sets: Sequence[PairSet]) -> dict[str, float]:
    """Mean per-conversation AUC and mean within-participant AUC over the given conversations."""
    per_conv, within = {}, []
    for s in sets:
        if len(s.y) == 0:
            continue
        pred = score(s)
        per_conv[s.name] = auc(pred, s.y)
        for person in np.unique(s.participant):
            m = s.participant == person
            a = auc(pred[m], s.y[m])
            if not np.isnan(a):
                within.append(a)
    values = [v for v in per_conv.values() if not np.isnan(v)]
    out = {
        "val_auc_mean": float(np.mean(values)) if values else float("nan"),
        "val_within_participant_auc": float(np.mean(within)) if within else float("nan"),
    }
    out.update({f"auc:{k}": v for k, v in per_conv.items()})
    return out


def evaluate_with_room_bias(
    score: Callable[[PairSet], np.ndarray], sets: Sequence[PairSet], known: int = 3, seed: int = 0
) -> dict[str, float]:
    """Like :func:`evaluate`, but each participant first "rates" ``known`` random statements and
    their mean offset from the prediction (on the 1–7 scale, agree 7 / disagree 1) is added to
    their other predictions -- what the app does once the room has rated a shortlist. Only the
    statements they did not rate are scored."""
    rng = np.random.default_rng(seed)
    adjusted = []
    for s in sets:
        base = 4.0 + 3.0 * np.tanh(score(s))
        keep = np.ones(len(s.y), dtype=bool)
        pred = base.copy()
        for person in np.unique(s.participant):
            idx = np.flatnonzero(s.participant == person)
            if len(idx) <= known:
                keep[idx] = False
                continue
            seen = rng.choice(idx, known, replace=False)
            offset = float(np.mean(np.where(s.y[seen] > 0, 7.0, 1.0) - base[seen]))
            pred[idx] += offset * known / (known + 1)
            keep[seen] = False
        adjusted.append(
            (
                PairSet(
                    s.name, s.o[keep], s.c[keep], s.y[keep], s.participant[keep], s.statement[keep]
                ),
                pred[keep],
            )
        )
    lookup = {id(a): p for a, p in adjusted}
    return evaluate(lambda a: lookup[id(a)], [a for a, _ in adjusted])


def fit_head(
    sets: Sequence[PairSet],
    l2: float = 1.0,
    offsets: bool = True,
    steps: int = 300,
    lr: float = 0.05,
    seed: int = 0,
) -> tuple[np.ndarray, float]:
    """Logistic regression on [cos, o*c] with optional participant/statement fixed effects."""
    x = np.concatenate([pair_features(s.o, s.c) for s in sets]).astype(np.float32)
    y = np.concatenate([s.y for s in sets]).astype(np.float32)
    n, d = x.shape
    scale = np.sqrt(d)
    x[:, 1:] *= scale  # products are ~1/d in size: put them on the scale of the cosine
    p_keys, p_idx = np.unique(np.concatenate([s.participant for s in sets]), return_inverse=True)
    s_keys, s_idx = np.unique(np.concatenate([s.statement for s in sets]), return_inverse=True)
    rng = np.random.default_rng(seed)
    w = np.asarray(rng.normal(0, 1e-3, d), dtype=np.float32)
    b = float(np.log(y.mean() / (1 - y.mean())))
    pb = np.zeros(len(p_keys), np.float32)
    sb = np.zeros(len(s_keys), np.float32)
    params = [w, pb, sb]
    m = [np.zeros_like(v) for v in params]
    v2 = [np.zeros_like(v) for v in params]
    mb = vb = 0.0
    for t in range(1, steps + 1):
        z = x @ w + b + (pb[p_idx] + sb[s_idx] if offsets else 0)
        g = (sigmoid(z) - y) / n
        grads = [
            x.T @ g + l2 * w / n,
            np.bincount(p_idx, g, len(pb)).astype(np.float32) + 0.1 * pb / n,
            np.bincount(s_idx, g, len(sb)).astype(np.float32) + 0.1 * sb / n,
        ]
        gb = float(g.sum())
        for k, (param, grad) in enumerate(zip(params, grads, strict=True)):
            if k > 0 and not offsets:
                continue
            m[k] = 0.9 * m[k] + 0.1 * grad
            v2[k] = 0.999 * v2[k] + 0.001 * grad * grad
            param -= lr * (m[k] / (1 - 0.9**t)) / (np.sqrt(v2[k] / (1 - 0.999**t)) + 1e-8)
        mb = 0.9 * mb + 0.1 * gb
        vb = 0.999 * vb + 0.001 * gb * gb
        b -= lr * (mb / (1 - 0.9**t)) / (np.sqrt(vb / (1 - 0.999**t)) + 1e-8)
    weights = w.copy()
    weights[1:] *= scale
    return weights, b


def head_scorer(weights: np.ndarray, bias: float) -> Callable[[PairSet], np.ndarray]:
    return lambda s: pair_features(s.o, s.c) @ weights + bias


def cosine_scorer(s: PairSet) -> np.ndarray:
    return (s.o * s.c).sum(axis=1)


def train(
    conversations: Sequence[Conversation],
    validation: Sequence[Conversation],
    cache: EmbeddingCache,
    base_model: str,
    base_model_sha256: str,
    seed: int = 0,
    l2: float = 1.0,
) -> Iterator[Progress | str | RewardHead]:
    """Yield progress and messages, then the trained head with its metrics in the card."""
    all_convs = list(conversations) + list(validation)
    sets: dict[str, PairSet] = {}
    for k, conv in enumerate(all_convs):
        yield f"embedding {conv.name} ({len(conv.comments)} comments)"
        sets[conv.name] = conversation_pairs(conv, cache)
        yield Progress(k + 1, len(all_convs))
    train_sets = [sets[c.name] for c in conversations]
    val_sets = [sets[c.name] for c in validation]
    yield "fitting the head"
    weights, bias = fit_head(train_sets, l2=l2, seed=seed)
    metrics = evaluate(head_scorer(weights, bias), val_sets)
    baseline = evaluate(cosine_scorer, val_sets)
    yield (
        f"validation: head AUC {metrics['val_auc_mean']:.3f} "
        f"(within-participant {metrics['val_within_participant_auc']:.3f}); "
        f"cosine AUC {baseline['val_auc_mean']:.3f}"
    )
    card = {
        "training_conversations": [c.name for c in conversations],
        "validation_conversations": [c.name for c in validation],
        "n_training_pairs": int(sum(len(s.y) for s in train_sets)),
        "seed": seed,
        "l2": l2,
        "metrics": metrics,
        "baseline_cosine_metrics": baseline,
    }
    yield RewardHead(
        weights.astype(np.float32), float(bias), base_model, base_model_sha256, card=card
    )
