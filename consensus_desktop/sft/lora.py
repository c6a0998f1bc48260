"""LoRA on a transformers causal LM, named as llama.cpp names the same weights (torch).

``attach`` wraps the chosen linear layers of every block: y = W x + (alpha / r) B A x, with A
(r, n_in) random and B (n_out, r) zero, so training starts from the base model exactly. Only
the weights llama.cpp's GGUF converter stores unpermuted are adapted (the value and output
projections and the feed-forward), so A and B are written to the adapter as they are: the
converter reorders the query and key rows of llama-architecture models.
"""

from __future__ import annotations

import math
import re

import numpy as np
import torch
from torch import nn

# transformers' module name -> llama.cpp's tensor name in a block
GGUF_NAMES = {
    "v_proj": "attn_v",
    "o_proj": "attn_output",
    "gate_proj": "ffn_gate",
    "up_proj": "ffn_up",
    "down_proj": "ffn_down",
}
_LAYER = re.compile(r"(?:^|\.)layers\.(\d+)\.(?:self_attn|mlp)\.(\w+)$")


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, rank: int, alpha: float, generator: torch.Generator):
        super().__init__()
        self.base = base
        self.scale = alpha / rank
        self.a = nn.Parameter(torch.empty(rank, base.in_features))
        nn.init.kaiming_uniform_(self.a, a=math.sqrt(5), generator=generator)
        self.b = nn.Parameter(torch.zeros(base.out_features, rank))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.a.T @ self.b.T) * self.scale


def attach(
    model: nn.Module, targets: tuple[str, ...], rank: int, alpha: float, seed: int
) -> dict[str, LoRALinear]:
    """Freeze ``model`` and wrap its ``targets`` (llama.cpp names, e.g. "attn_v"); returns the
    wrappers by llama.cpp weight name ("blk.3.attn_v.weight"), in block order."""
    for p in model.parameters():
        p.requires_grad_(False)
    generator = torch.Generator().manual_seed(seed)
    found: list[tuple[int, str, str, nn.Linear]] = []
    for name, module in model.named_modules():
        m = _LAYER.search(name)
        if m and isinstance(module, nn.Linear) and GGUF_NAMES.get(m.group(2)) in targets:
            found.append((int(m.group(1)), GGUF_NAMES[m.group(2)], name, module))
    wrapped: dict[str, LoRALinear] = {}
    for block, gguf, name, module in sorted(found, key=lambda f: (f[0], targets.index(f[1]))):
        parent_name, _, child = name.rpartition(".")
        lora = LoRALinear(module, rank, alpha, generator)
        setattr(model.get_submodule(parent_name), child, lora)
        wrapped[f"blk.{block}.{gguf}.weight"] = lora
    return wrapped


def weights(wrapped: dict[str, LoRALinear]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(A, B) of each wrapped weight as float32 arrays, ready for ``adapter_file``."""
    return {
        name: (
            lora.a.detach().numpy().astype(np.float32),
            lora.b.detach().numpy().astype(np.float32),
        )
        for name, lora in wrapped.items()
    }


def weights_summary(found: dict[str, tuple[np.ndarray, np.ndarray]]) -> str:
    kinds = sorted({name.split(".")[2] for name in found})
    rank = next(iter(found.values()))[0].shape[0] if found else 0
    return f"{len(found)} weights ({', '.join(kinds)}), rank {rank}"
