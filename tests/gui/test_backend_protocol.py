"""Every backend implements the declared ModelBackend protocol, signatures included."""

from __future__ import annotations

import inspect
import typing
from pathlib import Path

import pytest
from fakes import FakeEngine

from consensus_desktop.engine import protocol
from consensus_desktop.engine.engine import Engine
from consensus_desktop.engine.protocol import ModelBackend

METHODS = ("count_tokens", "fit", "generate_candidates", "embed", "close")
PROPERTIES = ("info", "sha256")


def _shape(fn: object) -> list[tuple[str, object, bool, object]]:
    """(name, kind, has a default, annotation) per parameter, and the return annotation."""
    hints = typing.get_type_hints(fn, vars(protocol))
    params = [
        (p.name, p.kind, p.default is not inspect.Parameter.empty, hints.get(p.name))
        for p in inspect.signature(fn).parameters.values()  # type: ignore[arg-type]
        if p.name != "self"
    ]
    return [*params, ("return", None, False, hints.get("return"))]


@pytest.mark.parametrize("backend", [FakeEngine, Engine], ids=lambda c: c.__name__)
def test_backend_matches_the_protocol(backend: type) -> None:
    for name in METHODS:
        assert _shape(getattr(backend, name)) == _shape(getattr(ModelBackend, name)), name


def test_protocol_lists_what_the_test_checks() -> None:
    members = {n for n in vars(ModelBackend) if not n.startswith("_")}
    assert members == set(METHODS) | set(PROPERTIES)


def test_fake_is_a_model_backend() -> None:
    fake = FakeEngine()
    assert isinstance(fake, ModelBackend)
    assert fake.info.path is None and len(fake.sha256) == 64


@pytest.mark.model
def test_local_engine_is_a_model_backend(engine: Engine, default_model_path: Path) -> None:
    assert isinstance(engine, ModelBackend)
    assert engine.info.path == default_model_path
