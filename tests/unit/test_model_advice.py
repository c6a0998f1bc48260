from __future__ import annotations

from consensus_desktop.model_advice import (
    is_default_model,
    model_line,
    recommend,
    recommendation_line,
    total_ram_gb,
)
from consensus_desktop.model_catalog import default_entry, load_catalog


def test_default_model_is_named_as_rough() -> None:
    d = default_entry()
    assert is_default_model(d.file)
    assert "rough" in model_line(d.file, "CPU") and d.title in model_line(d.file, "CPU")
    assert "rough" not in model_line("other.gguf", "CPU")


def test_recommendation_follows_ram_and_gpu() -> None:
    _, entries = load_catalog()
    assert recommend(entries, 2.0) is None  # only the default fits
    small = recommend(entries, 6.0)
    assert small is not None and small.ram_gb <= 3.0
    big = recommend(entries, 16.0)
    assert big is not None and big.ram_gb == max(e.ram_gb for e in entries)
    with_gpu = recommend(entries, 6.0, gpu=True)
    assert with_gpu is not None and with_gpu.ram_gb >= small.ram_gb
    assert "only the small default" in recommendation_line(entries, 2.0)
    assert big.title in recommendation_line(entries, 16.0)
    ram = total_ram_gb()
    assert ram is None or ram > 0.1
