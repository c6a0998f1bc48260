"""The method, headless: opinions -> prompt -> candidates -> predicted agreement -> welfare ranking.

``run`` is a cancellable generator of events, so the CLI prints them and the GUI turns them into
signals. It knows nothing about Qt or the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from consensus_desktop.engine.protocol import ModelBackend
from consensus_desktop.engine.types import (
    Candidate,
    GenerationReport,
    Progress,
    Rejected,
)
from consensus_desktop.errors import ModelFileError
from consensus_desktop.prompts import REVISION, TEMPLATES, PromptPlan
from consensus_desktop.reward.base import RewardModel, RewardVersion
from consensus_desktop.run_request import RunRequest
from consensus_desktop.screening import near_copies, off_topic, text_rejection
from consensus_desktop.shortlist import TRUSTED_AUC, Shortlist, choose
from consensus_desktop.welfare.function import WelfareFunction
from consensus_desktop.welfare.isoelastic import alpha_to_json
from consensus_desktop.welfare.tradeoff import TradeOff
from consensus_desktop.welfare.utilities import shift_predictions

# generation rounds: the first, then top-ups for what the off-question screen rejected (the
# stricter gate of signable.py left a plenary of six one short with a single top-up)
SCREEN_ROUNDS = 3


@dataclass(frozen=True)
class Stage:
    name: str  # "fitting", "generating", "predicting", "ranking"
    detail: str = ""


@dataclass(frozen=True)
class RankedCandidate:
    text: str
    welfare: float  # W_alpha on the 1–7 scale (utility x 7)
    agreement: tuple[float, ...]  # one per participant, input order, 1–7
    seed: int
    order: tuple[int, ...]
    folded: int = 0  # near-duplicates folded into this one (see shortlist.py)

    @property
    def mean(self) -> float:
        return float(np.mean(self.agreement))

    @property
    def min(self) -> float:
        return float(np.min(self.agreement))


@dataclass(frozen=True)
class RunResult:
    request: RunRequest
    plan: PromptPlan
    candidates: tuple[RankedCandidate, ...]  # ranked, best first
    agreement: np.ndarray  # candidates (generation order) x participants
    report: GenerationReport
    reward_version: RewardVersion
    model_file: str
    model_sha256: str
    backend: str
    shortened: tuple[int, ...]
    tradeoff: TradeOff | None
    generated: tuple[Candidate, ...] = field(default=())
    opinion_changes: tuple[tuple[int, str], ...] = ()  # (participant index, what changed and why)

    def describe_changes(self) -> list[str]:
        """One "name: change" line per change made to an opinion before the model read it."""
        names = self.request.participant_names()
        return [f"{names[i]}: {change}" for i, change in self.opinion_changes]

    rejected: tuple[Rejected, ...] = field(default=())
    # indices into ``generated``, then (from len(generated) on) into ``request.earlier``
    shortlist: Shortlist | None = None

    def to_json(self) -> dict[str, object]:
        names = self.request.participant_names()
        to = self.tradeoff
        return {
            "model": self.model_file,
            "model_sha256": self.model_sha256,
            "backend": self.backend,
            "prompt_version": self.plan.template,
            "reward_model": self.reward_version.as_dict(),
            "alpha": alpha_to_json(self.request.alpha),
            "participants": list(self.request.rated_by()),
            "shortened_opinions": [names[i] for i in self.shortened],
            "opinion_changes": [
                {"participant": names[i], "change": change} for i, change in self.opinion_changes
            ],
            "generation": {
                "requested": self.report.requested,
                "found": self.report.found,
                "attempts": self.report.attempts,
                "tokens": self.report.tokens,
                "seconds": round(self.report.seconds, 3),
                "tokens_per_second": round(self.report.tokens_per_second, 1),
            },
            "candidates": [
                {
                    "text": c.text,
                    "welfare": round(c.welfare, 4),
                    "mean": round(c.mean, 4),
                    "min": round(c.min, 4),
                    "agreement": [round(a, 4) for a in c.agreement],
                    "seed": c.seed,
                    "folded": c.folded,
                }
                for c in self.candidates
            ],
            "shortlist": self.shortlist_ranked(),
            "shortlist_rule": self.shortlist_rule,
            "rejected": [{"text": r.text, "reason": r.reason} for r in self.rejected],
            "tradeoff": None
            if to is None
            else {
                "utilitarian_winner": self.candidates_index(to.utilitarian_winner),
                "rawlsian_winner": self.candidates_index(to.rawlsian_winner),
                "price_of_fairness": round(to.price_of_fairness, 4),
                "stretches": [
                    {
                        "winner": self.candidates_index(s.winner),
                        "alpha_from": s.alpha_from,
                        "alpha_to": alpha_to_json(s.alpha_to),
                    }
                    for s in to.stretches
                ],
            },
        }

    def shortlist_ranked(self) -> list[int]:
        """The shortlist as positions in the ranked ``candidates``, in the order chosen."""
        if self.shortlist is None:
            return []
        ranked_of = {c.text: i for i, c in enumerate(self.candidates)}
        n = len(self.generated)
        return [ranked_of[self.generated[i].text] for i in self.shortlist.chosen if i < n]

    def shortlisted_earlier(self) -> list[tuple[int, int]]:
        """(rank in the shortlist, index into ``request.earlier``) of each earlier statement the
        shortlist kept, for a regeneration."""
        if self.shortlist is None:
            return []
        n = len(self.generated)
        return [(r, i - n) for r, i in enumerate(self.shortlist.chosen) if i >= n]

    @property
    def shortlist_rule(self) -> str | None:
        sl = self.shortlist
        if sl is None:
            return None
        if sl.covered_clusters:
            return (
                "predictions near chance: the statement nearest to every group of opinions, "
                "then one nearest each group, first"
            )
        return "welfare and difference (maximal marginal relevance)"

    def candidates_index(self, generated_index: int) -> int:
        """Position in the ranked list of the candidate generated at ``generated_index``."""
        text = self.generated[generated_index].text
        return next(i for i, c in enumerate(self.candidates) if c.text == text)


def rank(agreement: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """(order best first, welfare on the 1–7 scale) for a candidates x participants matrix."""
    w = WelfareFunction(alpha)
    return np.asarray(w.order(agreement), dtype=np.intp), w.of(agreement)


def run(
    engine: ModelBackend,
    reward: RewardModel,
    request: RunRequest,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[Stage | Progress | Candidate | Rejected | RunResult]:
    request.validate()
    names = request.participant_names()
    raters = request.rated_by()
    yield Stage("fitting")

    def build(ops: Sequence[str], n_orders: int) -> PromptPlan:
        if request.previous_statement:
            return REVISION.plan(
                request.question, ops, request.previous_statement, request.critiques, n_orders
            )
        return TEMPLATES[request.template].plan(request.question, ops, n_orders)

    n_orders = len(request.opinions) if request.n_orders is None else request.n_orders
    fitted = engine.fit(build, request.opinions, n_orders, request.n, request.max_tokens, names)
    if fitted.changes:
        yield Stage(
            "fitting",
            "opinions changed: " + "; ".join(f"{names[i]}: {c}" for i, c in fitted.changes),
        )
    yield Stage("generating", f"{request.n} candidates")
    done: _Generated | None = None
    rejected: list[Rejected] = []
    for event in _generate(engine, reward, request, fitted.plan, fitted.opinions, should_stop):
        if isinstance(event, _Generated):
            done = event
            continue
        if isinstance(event, Rejected):
            rejected.append(event)
        yield event
    assert done is not None
    generated, report = list(done.candidates), done.report
    if not generated:
        raise ModelFileError(
            f"The model {engine.info.file_name} wrote no usable statement in {report.attempts} "
            "attempts; try again with another seed, more tokens per statement, or a bigger model."
        )
    yield Stage("predicting", reward.version.label)
    predicted: np.ndarray | None = None
    for ev in reward.predict(
        request.question,
        request.raters or fitted.opinions,
        [*(c.text for c in generated), *request.earlier],
        should_stop,
        "" if request.raters else request.position,  # baselines are the opinion writers'
        () if request.raters else request.baselines,
    ):
        if isinstance(ev, Progress):
            yield ev
        else:
            predicted = np.asarray(ev, dtype=np.float64)
    pool = len(generated) + len(request.earlier)
    assert predicted is not None and predicted.shape == (pool, len(raters))
    if request.rater_offsets:
        predicted = shift_predictions(predicted, request.rater_offsets)
    yield Stage("ranking")
    agreement = predicted[: len(generated)]
    order, w = rank(agreement, request.alpha)
    trusted = (reward.version.val_auc or 0.5) >= TRUSTED_AUC
    pool_emb, pool_w = done.embeddings, w
    if request.earlier:
        pool_emb = np.vstack([pool_emb, _embed(reward, request.earlier, should_stop)])
        pool_w = np.concatenate([w, rank(predicted[len(generated) :], request.alpha)[1]])
    shortlist = choose(pool_emb, pool_w, done.opinion_embeddings, request.shortlist_k, trusted)
    ranked = tuple(
        RankedCandidate(
            generated[i].text,
            float(w[i]),
            tuple(float(x) for x in agreement[i]),
            generated[i].seed,
            generated[i].order,
            shortlist.folded_count(i),
        )
        for i in order
    )
    yield RunResult(
        request=request,
        plan=fitted.plan,
        candidates=ranked,
        agreement=agreement,
        report=report,
        reward_version=reward.version,
        model_file=engine.info.label,
        model_sha256=engine.sha256,
        backend=engine.info.location,
        shortened=fitted.shortened,
        tradeoff=WelfareFunction(request.alpha).tradeoff(agreement),
        generated=tuple(generated),
        opinion_changes=fitted.changes,
        rejected=tuple(rejected),
        shortlist=shortlist,
    )


def _embed(
    reward: RewardModel, texts: Sequence[str], should_stop: Callable[[], bool]
) -> np.ndarray:
    out: np.ndarray | None = None
    for ev in reward.embed(texts, should_stop):
        if not isinstance(ev, Progress):
            out = np.asarray(ev, dtype=np.float64)
    assert out is not None
    return out


def _generate(
    engine: ModelBackend,
    reward: RewardModel,
    request: RunRequest,
    plan: PromptPlan,
    opinions: Sequence[str],
    should_stop: Callable[[], bool],
) -> Iterator[Progress | Candidate | Rejected | _Generated]:
    """Candidates screened by text as they finish, then for being off the question (on sentence
    embeddings; up to ``SCREEN_ROUNDS - 1`` top-up rounds replace those); ends with what was kept. The context is
    embedded once the first candidates are written, so the model starts on the prompt at once."""
    context = (request.question, *opinions)
    examples = request.example_statements()
    embedded: list[np.ndarray] = []  # the context's embeddings, then the examples'

    def context_embeddings() -> tuple[np.ndarray, np.ndarray]:
        if not embedded:
            embedded.append(_embed(reward, context, should_stop))
            ex = _embed(reward, examples, should_stop) if examples else embedded[0][:0]
            embedded.append(ex)
        return embedded[0], embedded[1]

    kept: list[Candidate] = []
    emb: np.ndarray | None = None
    reports: list[GenerationReport] = []
    for _round in range(SCREEN_ROUNDS):
        missing = request.n - len(kept)
        if missing <= 0:
            break
        params = replace(request.sampling, seed=request.seed + sum(r.attempts for r in reports))
        new: list[Candidate] = []
        for event in engine.generate_candidates(
            plan,
            missing,
            params,
            should_stop,
            (*context, *examples),
            lambda text: text_rejection(text, request.question, opinions),
            [*request.earlier, *(c.text for c in kept)],
        ):
            if isinstance(event, GenerationReport):
                reports.append(event)
                continue
            if isinstance(event, Candidate):
                new.append(event)
            yield event
        if not new:
            continue
        ctx_emb, example_emb = context_embeddings()
        new_emb = _embed(reward, [c.text for c in new], should_stop)
        emb = np.zeros((0, new_emb.shape[1])) if emb is None else emb
        copies = near_copies(new_emb, example_emb)
        off = off_topic(np.vstack([emb, new_emb]), ctx_emb)[len(kept) :]
        for c, is_copy, is_off in zip(new, copies, off, strict=True):
            if is_copy:
                yield Rejected(c.text, "copies an example of the prompt", c.seed)
            elif is_off:
                yield Rejected(c.text, "off the question", c.seed)
        dropped = copies | off
        kept += [c for c, drop in zip(new, dropped, strict=True) if not drop]
        emb = np.vstack([emb, new_emb[~dropped]])
    report = GenerationReport(
        request.n,
        len(kept),
        sum(r.attempts for r in reports),
        sum(r.rounds for r in reports),
        sum(r.tokens for r in reports),
        sum(r.seconds for r in reports),
    )
    ctx_emb = context_embeddings()[0]
    emb = np.zeros((0, ctx_emb.shape[1])) if emb is None else emb
    yield _Generated(report, tuple(kept), emb, ctx_emb[1:])


@dataclass(frozen=True)
class _Generated:
    report: GenerationReport
    candidates: tuple[Candidate, ...]
    embeddings: np.ndarray  # one row per candidate
    opinion_embeddings: np.ndarray
