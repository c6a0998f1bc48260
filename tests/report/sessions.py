"""Sessions for the report tests, made through the store and facilitation API as the app makes them."""

from __future__ import annotations

import random
from collections.abc import Sequence

from consensus_desktop.reward.base import RewardVersion
from consensus_desktop.session.facilitation import Facilitation
from consensus_desktop.session.values import Settings
from consensus_desktop.store.session_store import SessionStore

REWARD = RewardVersion(
    "embed-cosine-v1",
    "all-MiniLM-L6-v2.Q8_0.gguf",
    "ab" * 32,
    validation="test predictions; on unseen Polis conversations mean ROC-AUC 0.60",
)

STATEMENTS = [
    "We support lower limits near schools, with better enforcement elsewhere.",
    "We agree that safety comes first, but limits should fit each road.",
    "Speed limits should stay as they are while enforcement improves.",
    "We should lower the speed limit on all roads to save lives.",
    "Lower limits in towns and villages, unchanged limits on motorways.",
    "Invest in safer roads and cameras before changing any limits.",
]


def _run(
    flow: Facilitation, texts: Sequence[str], rng: random.Random, round_: int, kind: str
) -> int:
    store = flow.store
    run_id = store.add_generation_run(
        flow.session_id,
        flow.question["id"],
        round=round_,
        kind=kind,
        model_file="gemma-3-270m-Q4_K_M.gguf",
        model_sha256="0123456789abcdef" * 4,
        backend="llama.cpp CPU",
        prompt_template="jury-few-shot-v1",
        sampling={"temperature": 0.8},
        seeds=list(range(len(texts))),
        n_requested=len(texts),
        n_found=len(texts),
        attempts=len(texts),
        tokens=40 * len(texts),
        seconds=12.5,
        shortened=[],
    )
    cids = store.add_candidates(run_id, ({"text": t, "seed": i} for i, t in enumerate(texts)))
    pids = [p["id"] for p in flow.participants]
    agreement = [[round(rng.uniform(2, 6.5), 2) for _ in pids] for _ in cids]
    store.add_predictions(cids, pids, agreement, REWARD.as_dict())
    return run_id


def _rate_and_choose(flow: Facilitation, rng: random.Random, rate: bool) -> None:
    people = flow.participants
    if rate:
        shortlist = flow.shortlist()
        for n, p in enumerate(people):
            for c in shortlist:
                lean = 2 if n % 3 == 0 else 0
                flow.record_rating(p["id"], c.id, max(1, min(7, rng.randint(2, 7) - lean)), 5, 3.0)
            ranks = list(range(1, len(shortlist) + 1))
            rng.shuffle(ranks)
            flow.record_ranking(p["id"], {c.id: r for c, r in zip(shortlist, ranks, strict=True)})
    scores = flow.scores()
    alpha = flow.settings.alpha
    order = flow.order_at(alpha, scores)
    best = scores.candidates[next(i for i in order if scores.is_rated(i) or not rate)]
    basis = "ratings+predictions" if scores.has_ratings else "predictions"
    flow.select(best.id, f"isoelastic ({basis})", alpha, "welfare")


def build(
    store: SessionStore,
    name: str,
    people: Sequence[str],
    questions: Sequence[tuple[str, str]],
    opinions: Sequence[str],
    statements: Sequence[str] = STATEMENTS,
    *,
    critique: bool = False,
    rate: bool = True,
    alpha: float = 1.0,
    seed: int = 7,
) -> Facilitation:
    rng = random.Random(seed)
    settings = Settings(
        n_candidates=len(statements), alpha=alpha, critique_round=critique, shortlist_k=4
    )
    flow = Facilitation.create(store, name, [(q, s, "") for q, s in questions], people, settings)
    for qi in range(len(questions)):
        for n, p in enumerate(flow.participants):
            flow.record_baseline(p["id"], [2, 6, 3, 5, 4, 7, 1][(n + qi) % 7])
            flow.record_opinion(p["id"], opinions[n % len(opinions)])
        flow.go_to("generation")
        _run(flow, list(statements), rng, 0, "initial")
        _rate_and_choose(flow, rng, rate)
        if critique and rate:
            chosen = flow.selection()
            assert chosen is not None
            for n, p in enumerate(flow.participants):
                flow.record_critique(
                    p["id"], chosen["candidate_id"], f"Mention cyclists too ({n})."
                )
            revised = [f"Revised: {t}" for t in statements]
            _run(flow, revised, rng, 1, "revision")
            _rate_and_choose(flow, rng, rate)
        flow.go_to("results")
        if flow.has_next_question():
            flow.next_question()
    return flow


NAMES_12 = ["Ann", "Ben", "Cai", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jo", "Kim", "Lu"]
OPINIONS = [
    "Lower limits save lives, especially near schools and in towns.",
    "I drive for work and slower roads would cost me time and money.",
    "Enforcement matters more than the number on the sign.",
    "Only lower them where people live; motorways are fine.",
]

LONG = (
    "We agree that the council should lower the speed limit to twenty miles an hour on residential "
    "streets and near schools, nurseries, care homes and shops, keep the present limits on the "
    "ring road and the motorway, spend the money it saves on accidents on cameras, crossings and "
    "cycle lanes, review every change after one year with the people who live on those streets, "
    "and publish the figures: deaths, injuries, journey times and complaints, street by street. "
    "Streets named in the plan include Kingsbridge-upon-Thames-Road-and-Riverside-Walk-Extension."
)
RTL_CJK_STATEMENTS = [
    "يجب خفض حدود السرعة قرب المدارس وفي الأحياء السكنية.",
    "עלינו להוריד את המהירות המותרת ליד בתי ספר ולשפר את האכיפה.",
    "我们同意在学校和居民区附近降低限速，并加强执法。",
    "学校の近くでは制限速度を下げ、幹線道路はそのままにするべきだ。",
    "Lower limits near schools (المدارس), with better enforcement elsewhere.",
    "속도 제한은 학교 근처에서만 낮추고 단속을 강화해야 합니다.",
]
RTL_CJK_NAMES = ["سارة", "דוד", "王芳", "Ann"]
