"""A GGUF model loaded through llama.cpp's C API: weights, vocabulary and backend facts.

Contexts (generation, embeddings) are created from this one model and share its weights.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from pathlib import Path

import llama_cpp

from consensus_desktop.engine import llama_log
from consensus_desktop.engine.errors import ModelLoadFailed, UnsupportedArchitecture
from consensus_desktop.engine.gguf_header import GGUFInfo, read_gguf_header
from consensus_desktop.engine.types import ModelInfo


def default_threads() -> int:
    """One thread per core (llama.cpp gains nothing from hyper-threads), at most 8."""
    return max(1, min(8, os.cpu_count() or 1))


def detect_backend() -> str:
    """The accelerator llama.cpp was built with: 'CUDA', 'Metal', 'Vulkan', … or 'CPU'."""
    if not llama_cpp.llama_supports_gpu_offload():
        return "CPU"
    info = llama_cpp.llama_print_system_info().decode("utf-8", errors="replace").upper()
    for key, name in (
        ("CUDA", "CUDA"),
        ("METAL", "Metal"),
        ("MTL", "Metal"),
        ("VULKAN", "Vulkan"),
        ("HIP", "ROCm"),
        ("SYCL", "SYCL"),
    ):
        if key in info:
            return name
    return "GPU"


class LocalModel:
    """Owns a ``llama_model``; tokenizes and detokenizes. Not thread-safe: one owner thread."""

    def __init__(
        self, path: str | Path, n_gpu_layers: int | None = None, adapter: Path | None = None
    ) -> None:
        path = Path(path)
        header: GGUFInfo = read_gguf_header(path)  # raises a specific error for a bad file
        llama_log.install()
        llama_cpp.llama_backend_init()
        backend = detect_backend()
        if n_gpu_layers is None:
            n_gpu_layers = -1 if backend != "CPU" else 0  # offload every layer when we can
        params = llama_cpp.llama_model_default_params()
        params.n_gpu_layers = n_gpu_layers
        llama_log.clear()
        model = llama_cpp.llama_model_load_from_file(str(path).encode("utf-8"), params)
        if not model:
            detail = " ".join(llama_log.recent(8))
            if "unknown model architecture" in detail or "unknown architecture" in detail:
                raise UnsupportedArchitecture(
                    f"{path.name} uses the model architecture '{header.architecture}', which this "
                    "version of llama.cpp does not support. Update the app, or choose another model."
                )
            raise ModelLoadFailed(f"llama.cpp could not load {path.name}: {detail or 'no details'}")
        self._model = model
        self._adapter: llama_cpp.llama_adapter_lora_p | None = None
        if adapter is not None:  # checked against this model by the factory before loading
            llama_log.clear()
            self._adapter = llama_cpp.llama_adapter_lora_init(model, str(adapter).encode("utf-8"))
            if not self._adapter:
                detail = " ".join(llama_log.recent(4))
                self.close()
                raise ModelLoadFailed(
                    f"llama.cpp could not load the adapter {adapter.name}: {detail or 'no details'}"
                )
        self._vocab = llama_cpp.llama_model_get_vocab(model)
        self._pieces: dict[int, bytes | None] = {}
        self._tokenized: dict[tuple[str, bool, bool], list[int]] = {}
        desc = ctypes.create_string_buffer(256)
        llama_cpp.llama_model_desc(model, desc, len(desc))
        self.info = ModelInfo(
            path=path,
            file_name=path.name,
            architecture=header.architecture or "unknown",
            description=desc.value.decode("utf-8", errors="replace"),
            n_params=int(llama_cpp.llama_model_n_params(model)),
            n_ctx_train=int(llama_cpp.llama_model_n_ctx_train(model)),
            n_embd=int(llama_cpp.llama_model_n_embd(model)),
            n_vocab=int(llama_cpp.llama_vocab_n_tokens(self._vocab)),
            backend=backend if n_gpu_layers != 0 else "CPU",
            n_gpu_layers=n_gpu_layers,
            adapter=adapter.name if adapter is not None else "",
        )
        self.add_bos = bool(llama_cpp.llama_vocab_get_add_bos(self._vocab))
        template = llama_cpp.llama_model_chat_template(model, None)
        # The GGUF's tokenizer.chat_template, when llama.cpp knows how to apply it.
        self.chat_template: bytes | None = (
            template if template and self._apply(template, [("user", "x")]) is not None else None
        )
        # Chat prompts contain the template's control tokens; plain prompts never parse them.
        self.parse_special = False

    @staticmethod
    def _apply(template: bytes, messages: list[tuple[str, str]]) -> str | None:
        chat = (llama_cpp.llama_chat_message * len(messages))()
        raw = [(r.encode("utf-8"), c.encode("utf-8")) for r, c in messages]
        for slot, (role, content) in zip(chat, raw, strict=True):
            slot.role, slot.content = role, content
        size = 2 * sum(len(c) for _, c in raw) + 1024
        for _ in range(2):
            buf = ctypes.create_string_buffer(size)
            n = llama_cpp.llama_chat_apply_template(template, chat, len(raw), True, buf, size)
            if n < 0:
                return None  # a template llama.cpp does not recognise
            if n <= size:
                return buf.raw[:n].decode("utf-8", errors="replace")
            size = n
        return None

    def apply_chat_template(self, messages: list[dict[str, str]]) -> str:
        """The model's own chat template (applied by llama.cpp) around ``messages``, ending where
        the assistant's answer begins."""
        assert self.chat_template is not None
        out = self._apply(self.chat_template, [(m["role"], m["content"]) for m in messages])
        assert out is not None
        return out

    @property
    def logits_on_gpu(self) -> bool:
        """Whether llama.cpp computes the output layer on a GPU (it does when every layer is
        offloaded)."""
        n = self.info.n_gpu_layers
        return self.info.backend != "CPU" and (
            n < 0 or n > llama_cpp.llama_model_n_layer(self._model)
        )

    @property
    def model_ptr(self) -> llama_cpp.llama_model_p:
        return self._model

    @property
    def vocab_ptr(self) -> llama_cpp.llama_vocab_p:
        return self._vocab

    def tokenize(self, text: str, add_bos: bool = False) -> list[int]:
        key = (text, add_bos, self.parse_special)
        tokens = self._tokenized.get(key)
        if tokens is None:
            tokens = self._tokenize(text, add_bos)
            if len(self._tokenized) >= 32:  # the latest prompts: a top-up reuses its round's
                del self._tokenized[next(iter(self._tokenized))]
            self._tokenized[key] = tokens
        return list(tokens)

    def _tokenize(self, text: str, add_bos: bool) -> list[int]:
        raw = text.encode("utf-8")
        capacity = len(raw) + 8
        buf = (llama_cpp.llama_token * capacity)()
        special = self.parse_special
        n = llama_cpp.llama_tokenize(self._vocab, raw, len(raw), buf, capacity, add_bos, special)
        if n < 0:
            capacity = -n
            buf = (llama_cpp.llama_token * capacity)()
            n = llama_cpp.llama_tokenize(
                self._vocab, raw, len(raw), buf, capacity, add_bos, special
            )
        return list(buf[:n])

    def token_bytes(self, token: int) -> bytes:
        buf = ctypes.create_string_buffer(64)
        n = llama_cpp.llama_token_to_piece(self._vocab, token, buf, len(buf), 0, False)
        if n < 0:
            buf = ctypes.create_string_buffer(-n)
            n = llama_cpp.llama_token_to_piece(self._vocab, token, buf, len(buf), 0, False)
        return buf.raw[:n]

    def detokenize(self, tokens: list[int]) -> str:
        return b"".join(self.token_bytes(t) for t in tokens).decode("utf-8", errors="replace")

    def end_of_turn(self) -> int | None:
        """The token an instruct model ends its answer with (end of turn, else end of text)."""
        for token in (
            llama_cpp.llama_vocab_eot(self._vocab),
            llama_cpp.llama_vocab_eos(self._vocab),
        ):
            if token >= 0:
                return int(token)
        return None

    def piece(self, token: int) -> bytes | None:
        """What ``token`` writes, or None for an end-of-generation token. Cached: the generator
        asks for every token it picks."""
        try:
            return self._pieces[token]
        except KeyError:
            eog = llama_cpp.llama_vocab_is_eog(self._vocab, token)
            piece = None if eog else self.token_bytes(token)
            self._pieces[token] = piece
            return piece

    def use_adapter(self, ctx: llama_cpp.llama_context_p) -> None:
        """Apply the LoRA adapter (if any) to a generation context, at scale 1."""
        if self._adapter is None:
            return
        adapters = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(self._adapter)  # type: ignore[misc]
        scales = (ctypes.c_float * 1)(1.0)
        if llama_cpp.llama_set_adapters_lora(ctx, adapters, 1, scales) != 0:
            raise ModelLoadFailed(f"llama.cpp could not apply the adapter {self.info.adapter}.")

    def close(self) -> None:
        if getattr(self, "_adapter", None):  # before the model it belongs to
            llama_cpp.llama_adapter_lora_free(self._adapter)
            self._adapter = None
        if getattr(self, "_model", None):
            llama_cpp.llama_model_free(self._model)
            self._model = None

    def __del__(self) -> None:  # pragma: no cover - best effort
        with contextlib.suppress(Exception):
            self.close()
