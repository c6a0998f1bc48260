"""The batch engine on the real default model (Gemma-3-270M); small N and short outputs."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from sample_inputs import OPINIONS, QUESTION

from consensus_desktop.engine.batch_generate import FIRST_PIECE, RawSample
from consensus_desktop.engine.device_top_k import DeviceTopK
from consensus_desktop.engine.engine import Engine
from consensus_desktop.engine.errors import (
    ContextBudgetError,
    GenerationCancelled,
    ModelFileMissing,
    NotAGGUFFile,
    TruncatedModelFile,
    UnsupportedArchitecture,
)
from consensus_desktop.engine.factory import ModelSpec, open_backend
from consensus_desktop.engine.types import (
    PROMPT_SHARE,
    Candidate,
    GenerationReport,
    Progress,
    SamplingParams,
)
from consensus_desktop.prompts import JURY_FEW_SHOT, TEMPLATES, TRUNCATION_MARK
from consensus_desktop.run_request import DEFAULT_TEMPLATE
from consensus_desktop.signable import first_person

pytestmark = pytest.mark.model
PARAMS = SamplingParams(max_tokens=24, seed=7)


def candidates(engine: Engine, n: int, params: SamplingParams = PARAMS, n_orders: int = 1):
    plan = JURY_FEW_SHOT.plan(QUESTION, OPINIONS, n_orders)
    events = list(engine.generate_candidates(plan, n, params))
    return [e for e in events if isinstance(e, Candidate)], events


def test_engine_reports_model_and_backend(engine: Engine) -> None:
    info = engine.info
    assert info.architecture == "gemma3" and info.backend in {
        "CPU",
        "CUDA",
        "Metal",
        "Vulkan",
        "GPU",
    }
    assert len(engine.sha256) == 64


def test_same_seeds_same_candidates_and_n_distinct(engine: Engine) -> None:
    first, events = candidates(engine, 4)
    second, _ = candidates(engine, 4)
    assert [c.text for c in first] == [c.text for c in second]
    assert len(first) == 4 and len({c.text for c in first}) == 4
    assert all(c.text.strip() for c in first)
    report = events[-1]
    assert isinstance(report, GenerationReport) and report.found == 4 and report.attempts >= 4
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress and progress[-1].tokens_done <= progress[-1].token_budget
    other, _ = candidates(engine, 4, SamplingParams(max_tokens=24, seed=99))
    assert [c.text for c in other] != [c.text for c in first]


def test_progress_shows_the_prompt_being_read_before_the_first_token(engine: Engine) -> None:
    plan = JURY_FEW_SHOT.plan(QUESTION, OPINIONS, 2)
    events = engine.generator.generate(
        plan.prefix, plan.suffixes, [1, 2], SamplingParams(max_tokens=8)
    )
    progress = [e for e in events if isinstance(e, Progress)]
    first = progress[0]  # after the first, short decode of the prompt
    assert first.tokens_done == 0 and first.prompt_done == FIRST_PIECE < first.prompt_tokens
    assert 0 < first.fraction < PROMPT_SHARE
    read = [p.prompt_done for p in progress]
    assert read == sorted(read) and read[-1] == first.prompt_tokens
    fractions = [p.fraction for p in progress]
    assert fractions == sorted(fractions) and fractions[-1] <= 1.0


def test_samples_open_as_the_group_not_in_the_first_person(engine: Engine) -> None:
    """Seeds 7-22 on the childcare opinions: three samples open with "I" unmasked, none masked;
    samples that open otherwise are the same."""
    from test_candidate_quality import CHILDCARE

    opinions = [p["opinion"] for p in CHILDCARE["participants"]]
    plan = TEMPLATES[DEFAULT_TEMPLATE].plan(CHILDCARE["question"], opinions, 5)
    gen = engine.generator

    def openings(group: bool) -> list[str]:
        gen.open_as_group = group
        try:
            events = gen.generate(
                plan.prefix, plan.suffixes, list(range(7, 23)), SamplingParams(5, seed=7), plan.stop
            )
            return [e.text.strip() for e in events if isinstance(e, RawSample)]
        finally:
            gen.open_as_group = True

    free, group = openings(False), openings(True)
    assert sum(first_person(t) for t in free) >= 2
    assert not any(first_person(t) for t in group), group
    assert {t for t in free if not first_person(t)} & set(group)


def test_stop_strings_are_honoured(engine: Engine) -> None:
    plan = JURY_FEW_SHOT.plan(QUESTION, OPINIONS)
    stops = (" the ", " a ", ".")
    samples = [
        e
        for e in engine.generator.generate(
            plan.prefix, plan.suffixes, list(range(6)), SamplingParams(max_tokens=40, seed=3), stops
        )
        if isinstance(e, RawSample)
    ]
    assert len(samples) == 6
    for s in samples:
        assert not any(stop in s.text.lstrip() for stop in stops), s.text
    assert any(s.finish_reason == "stop" for s in samples)


def test_cancel_midway_then_a_normal_call_works(engine: Engine) -> None:
    plan = JURY_FEW_SHOT.plan(QUESTION, OPINIONS)
    steps = 0

    def should_stop() -> bool:
        return steps >= 3

    with pytest.raises(GenerationCancelled):
        for event in engine.generate_candidates(
            plan, 8, SamplingParams(max_tokens=60), should_stop
        ):
            if isinstance(event, Progress):
                steps += 1
    again, _ = candidates(engine, 2)
    assert len(again) == 2


def raw(engine: Engine, seeds: list[int], params: SamplingParams, stop=()) -> list[RawSample]:
    plan = JURY_FEW_SHOT.plan(QUESTION, OPINIONS)
    events = engine.generator.generate(plan.prefix, plan.suffixes, seeds, params, stop)
    return sorted((e for e in events if isinstance(e, RawSample)), key=lambda s: s.index)


def test_token_picking_is_reproducible_per_seed_and_budgets_end_sequences(engine: Engine) -> None:
    params = SamplingParams(max_tokens=16, seed=0)
    first = raw(engine, [11, 12, 13, 14], params)
    assert [s.text for s in first] == [s.text for s in raw(engine, [11, 12, 13, 14], params)]
    assert len({s.text for s in first}) == 4  # each sequence draws with its own seed
    other = raw(engine, [21, 22, 23, 24], params)
    assert all(a.text != b.text for a, b in zip(first, other, strict=True))
    for s in first + other:
        assert 1 <= s.n_tokens <= 16
        assert (s.n_tokens == 16) == (s.finish_reason == "length")
    greedy = raw(engine, [1, 2, 3], SamplingParams(max_tokens=12, temperature=0))
    assert len({s.text for s in greedy}) == 1  # no randomness at temperature 0


def test_cancel_leaves_the_engine_giving_the_same_texts(engine: Engine) -> None:
    params = SamplingParams(max_tokens=20, seed=0)
    before = raw(engine, [5, 6, 7], params)
    plan = JURY_FEW_SHOT.plan(QUESTION, OPINIONS)
    steps = 0

    def should_stop() -> bool:
        return steps >= 4

    with pytest.raises(GenerationCancelled):
        for event in engine.generator.generate(
            plan.prefix, plan.suffixes, [1, 2, 3, 4, 5, 6], params, (), should_stop
        ):
            steps += isinstance(event, Progress)
    assert [s.text for s in raw(engine, [5, 6, 7], params)] == [s.text for s in before]


def test_top_k_in_the_graph_picks_what_the_host_picks(engine: Engine) -> None:
    """The GPU path (top-k in llama.cpp's graph, forced here on the CPU) gives the host's texts:
    sampled, greedy and narrow settings, several opinion orders, stop strings and budgets. A cancel
    leaves it reusable, and scoring afterwards reads whole rows of logits again."""
    gen = engine.generator
    plan = JURY_FEW_SHOT.plan(QUESTION, OPINIONS, 3)
    prompt, answer = engine.model.tokenize(QUESTION, add_bos=True), engine.model.tokenize(" Yes.")
    scored = engine.log_likelihood(prompt, answer)

    def run(on_device: bool, params: SamplingParams, stop=(), should_stop=lambda: False):
        gen.device_top_k = on_device
        events = gen.generate(
            plan.prefix, plan.suffixes, [1, 2, 3, 4, 5], params, stop, should_stop
        )
        samples = sorted((e for e in events if isinstance(e, RawSample)), key=lambda s: s.index)
        return [(s.variant, s.text, s.n_tokens, s.finish_reason) for s in samples]

    try:
        settings = [
            (SamplingParams(max_tokens=20, seed=0), (".",)),
            (SamplingParams(max_tokens=12, temperature=0), ()),
            (SamplingParams(max_tokens=16, seed=5, top_k=3, top_p=0.5, temperature=1.5), ()),
        ]
        for params, stop in settings:
            host = run(False, params, stop)
            assert run(True, params, stop) == host
            assert gen._device.k == min(params.top_k, engine.info.n_vocab)  # it ran in the graph
            assert len(host) == 5 and {v for v, *_ in host} == {0, 1, 2}
        assert {reason for *_, reason in run(True, *settings[0])} >= {"stop"}

        steps = [0]

        def should_stop() -> bool:
            steps[0] += 1
            return steps[0] > 4

        with pytest.raises(GenerationCancelled):
            run(True, settings[0][0], should_stop=should_stop)
        assert run(True, *settings[0]) == run(False, *settings[0])
        gen.device_top_k = True
        assert engine.log_likelihood(prompt, answer) == pytest.approx(scored, abs=1e-4)
    finally:
        gen.device_top_k = False


def test_a_backend_without_top_k_hands_over_to_the_host_mid_run(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the first read finds that top-k did not run in the graph (as on a GPU backend without
    the operation), the rest of the run and later runs pick on the host: same texts."""
    gen = engine.generator
    params = SamplingParams(max_tokens=12, seed=4)
    gen.device_top_k = False
    host = raw(engine, [1, 2, 3], params)
    real_read = DeviceTopK.read

    def read_then_fall_back(self: DeviceTopK, *args: object) -> tuple:
        out = real_read(self, *args)
        self.fell_back = True
        return out

    monkeypatch.setattr(DeviceTopK, "read", read_then_fall_back)
    try:
        gen.device_top_k = True
        assert [s.text for s in raw(engine, [1, 2, 3], params)] == [s.text for s in host]
        assert not gen.device_top_k and gen._device.k == 0
    finally:
        gen.device_top_k = False


def test_per_sample_orders_share_the_prefix(engine: Engine) -> None:
    found, _ = candidates(engine, 3, n_orders=3)
    assert {c.order for c in found} <= {(0, 1, 2), (1, 2, 0), (2, 0, 1)}
    assert len(found) == 3


def test_overlong_input_follows_the_policy(default_model_path: Path) -> None:
    small = open_backend(ModelSpec(default_model_path, per_sequence_limit=700))
    try:
        long = "I think that " + "road safety matters a great deal to me and my family " * 200
        fitted = small.fit(
            lambda ops, k: JURY_FEW_SHOT.plan(QUESTION, ops, k),
            [OPINIONS[0], long],
            1,
            2,
            40,
            ["Ann", "Ben"],
        )
        assert fitted.shortened == (1,)
        assert fitted.opinions[1].endswith(TRUNCATION_MARK)
        assert fitted.prompt_tokens + 40 <= 700
        found = [
            e
            for e in small.generate_candidates(fitted.plan, 1, SamplingParams(max_tokens=40))
            if isinstance(e, Candidate)
        ]
        assert len(found) <= 1
        with pytest.raises(ContextBudgetError, match="Ben"):
            small.fit(
                lambda ops, k: JURY_FEW_SHOT.plan(QUESTION, ops, k),
                [long, long],
                1,
                2,
                600,
                ["Ann", "Ben"],
            )
    finally:
        small.close()


def test_embeddings_are_batched_and_deterministic(engine: Engine) -> None:
    texts = ["We should lower the limit.", "Taxes are too high.", "", "速度制限 🚲"]
    out1 = [e for e in engine.embed(texts)][-1]
    out2 = [e for e in engine.embed(list(reversed(texts)))][-1]
    assert out1.shape == (4, engine.info.n_embd)
    assert np.allclose(out1, out2[::-1], atol=1e-4)


def _write_gguf(path: Path, arch: str) -> None:
    def s(text: str) -> bytes:
        raw = text.encode()
        return struct.pack("<Q", len(raw)) + raw

    kv = s("general.architecture") + struct.pack("<I", 8) + s(arch)
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + kv)


def test_bad_model_files_each_give_their_error(tmp_path: Path, default_model_path: Path) -> None:
    with pytest.raises(ModelFileMissing, match="not found"):
        open_backend(tmp_path / "missing.gguf")
    text = tmp_path / "readme.gguf"
    text.write_text("not a model")
    with pytest.raises(NotAGGUFFile, match="not a GGUF"):
        open_backend(text)
    cut = tmp_path / "cut.gguf"
    with default_model_path.open("rb") as fh:
        cut.write_bytes(fh.read(5_000_000))
    with pytest.raises(TruncatedModelFile, match="cut short"):
        open_backend(cut)
    header_only = tmp_path / "header.gguf"
    header_only.write_bytes(default_model_path.read_bytes()[:2000])
    with pytest.raises(TruncatedModelFile):
        open_backend(header_only)
    alien = tmp_path / "alien.gguf"
    _write_gguf(alien, "notamodelarch")
    with pytest.raises(UnsupportedArchitecture, match="notamodelarch"):
        open_backend(alien)
