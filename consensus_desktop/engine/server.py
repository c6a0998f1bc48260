"""A model on an OpenAI-compatible server (llama.cpp's llama-server, vLLM, Ollama, LM Studio,
``python -m llama_cpp.server``), behind the same :class:`ModelBackend` protocol as a local GGUF.

- Generation: one streamed request per sample, each with its own seed (so a sample is
  reproducible where the server honours ``seed``), at most ``max_concurrency`` at a time; a
  server that batches requests (llama-server with ``--parallel``, vLLM) runs them together. The
  ``n`` parameter is not used: it would give all samples one seed, and several servers ignore it.
- Base models get ``/v1/completions``; chat models ``/v1/chat/completions``, where the server
  applies the model's own chat template.
- Stop strings are applied here as well (a stop counts only once the answer has begun), and a
  sample's stream is closed as soon as it has stopped.
- Cancel closes every open request; a stream that sends nothing for ``stall_timeout`` seconds is
  an error. Requests answered 429/502/503/504 are retried twice (nothing was generated yet).
- Token counts are an upper estimate (one token per 3 UTF-8 bytes): servers do not share a
  tokenizer endpoint. The context is the server's ``n_ctx_train`` where it says (llama-server),
  else ``ServerSpec.context``.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import queue
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from consensus_desktop.engine.budget import ContextFitting
from consensus_desktop.engine.candidates import collect_candidates
from consensus_desktop.engine.cleaning import cut_at_stop
from consensus_desktop.engine.errors import GenerationCancelled
from consensus_desktop.engine.server_http import Endpoint, ServerRefused
from consensus_desktop.engine.types import (
    Candidate,
    GenerationReport,
    ModelInfo,
    Progress,
    RawSample,
    Rejected,
    SamplingParams,
)
from consensus_desktop.errors import ServerError
from consensus_desktop.prompts import PromptPlan, as_chat, chat_messages

BYTES_PER_TOKEN = 3  # upper estimate of tokens for any current tokenizer on prose
EMBED_BATCH = 32
INTERRUPT_RETRIES = 4
_CHAT_NAME = re.compile(r"instruct|chat|(?<![a-z])it(?![a-z])|assistant|hermes|:latest", re.I)


class _Interrupted(Exception):
    """A stream ended (``[DONE]`` or end of body) before the server said the sample finished."""


@dataclass(frozen=True)
class ServerSpec:
    url: str  # OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1
    model: str = ""  # "" = the first model the server lists
    api_key: str = field(default="", repr=False)
    prompt: str = "auto"  # "chat", "completion", or "auto" (chat when the model id says so)
    context: int = 4096  # tokens of context assumed when the server does not say
    connect_timeout: float = 5.0
    stall_timeout: float = 60.0
    max_concurrency: int = 16


def list_models(endpoint: Endpoint, timeout: float = 5.0) -> list[dict[str, Any]]:
    """``GET /v1/models``: the models the server offers (each a dict with at least ``id``)."""
    answer = endpoint.json("GET", "/models", connect_timeout=timeout, read_timeout=timeout)
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list) or not all(
        isinstance(m, dict) and isinstance(m.get("id"), str) and m["id"] for m in data
    ):
        raise ServerRefused(
            f"The server at {endpoint.host_port} did not list its models the OpenAI way "
            f"(GET {endpoint.url}/models): is this an OpenAI-compatible URL?"
        )
    return data


class ServerBackend(ContextFitting):
    """Implements :class:`~consensus_desktop.engine.protocol.ModelBackend` over HTTP."""

    def __init__(self, spec: ServerSpec) -> None:
        self.spec = spec
        self.endpoint = Endpoint.parse(spec.url, spec.api_key)
        models = list_models(self.endpoint, spec.connect_timeout)
        ids = [m["id"] for m in models]
        if not ids:
            raise ServerError(f"The server at {self.endpoint.host_port} offers no model.")
        if spec.model and spec.model not in ids:
            raise ServerError(
                f"The server at {self.endpoint.host_port} has no model '{spec.model}'; it offers: "
                + ", ".join(ids[:10])
                + "."
            )
        self.model_id = spec.model or ids[0]
        meta = next(m for m in models if m["id"] == self.model_id).get("meta")
        meta = meta if isinstance(meta, dict) else {}
        n_ctx = meta.get("n_ctx_train")
        n_ctx = n_ctx if isinstance(n_ctx, int) and n_ctx > 0 else spec.context
        self.chat = spec.prompt == "chat" or (
            spec.prompt == "auto" and bool(_CHAT_NAME.search(self.model_id))
        )
        self.per_sequence_limit = min(n_ctx, spec.context) if meta else spec.context
        self.max_kv_cells = 10**9  # the server manages its own memory
        self._info = ModelInfo(
            path=None,
            file_name=self.model_id,
            architecture=str(meta.get("architecture", "unknown")),
            description=f"{self.model_id} on {self.endpoint.url}",
            n_params=int(meta.get("n_params") or 0),
            n_ctx_train=n_ctx,
            n_embd=int(meta.get("n_embd") or 0),
            n_vocab=int(meta.get("n_vocab") or 0),
            backend="server",
            n_gpu_layers=0,
            host=self.endpoint.host_port,
        )
        self._sha256 = hashlib.sha256(f"{self.endpoint.url} {self.model_id}".encode()).hexdigest()
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._one_at_a_time = threading.Lock()
        self.serial = False  # set when the server cut a stream short under concurrent requests

    @property
    def info(self) -> ModelInfo:
        return self._info

    @property
    def sha256(self) -> str:
        return self._sha256

    # -- tokens (estimated) --------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        return -(-len(text.encode("utf-8")) // BYTES_PER_TOKEN)

    def truncate_tokens(self, text: str, n_tokens: int) -> str:
        raw = text.encode("utf-8")
        if len(raw) <= n_tokens * BYTES_PER_TOKEN:
            return text
        return raw[: n_tokens * BYTES_PER_TOKEN].decode("utf-8", errors="ignore")

    def prepare(self, plan: PromptPlan) -> PromptPlan:
        return as_chat(plan) if self.chat else plan

    # -- generation ----------------------------------------------------------------------------
    def generate_candidates(
        self,
        plan: PromptPlan,
        n: int,
        params: SamplingParams,
        should_stop: Callable[[], bool] = lambda: False,
        reject: Sequence[str] = (),
        screen: Callable[[str], str | None] = lambda text: None,
        already: Sequence[str] = (),
    ) -> Iterator[Candidate | Rejected | Progress | GenerationReport]:
        """Yield N distinct cleaned candidates as their requests finish and the rejected samples,
        then a report."""
        plan = self.prepare(plan)

        def draw(seeds: list[int]) -> Iterator[Progress | RawSample]:
            return self._draw(plan, params, seeds, should_stop)

        return collect_candidates(draw, plan, n, params, reject, screen, already)

    def _draw(
        self,
        plan: PromptPlan,
        params: SamplingParams,
        seeds: list[int],
        should_stop: Callable[[], bool],
    ) -> Iterator[Progress | RawSample]:
        events: queue.Queue[tuple[str, Any]] = queue.Queue()
        gate = threading.Semaphore(self.spec.max_concurrency)
        cancelled = threading.Event()

        def work(i: int, seed: int) -> None:
            with gate:
                if cancelled.is_set():
                    return
                try:
                    events.put(
                        ("sample", self._sample_retrying(plan, params, i, seed, events, cancelled))
                    )
                except Exception as exc:  # reported to the consumer, which raises it
                    events.put(("error", exc))

        threads = [
            threading.Thread(target=work, args=(i, s), daemon=True, name=f"server-sample-{i}")
            for i, s in enumerate(seeds)
        ]
        for t in threads:
            t.start()
        budget = len(seeds) * params.max_tokens
        done = chunks = 0
        try:
            while done < len(seeds):
                if should_stop():
                    raise GenerationCancelled
                try:
                    kind, item = events.get(timeout=0.05)
                except queue.Empty:
                    continue
                if kind == "chunk":
                    chunks += 1
                    yield Progress(min(chunks, budget), budget)
                elif kind == "sample":
                    done += 1
                    yield item
                elif not cancelled.is_set():
                    raise item
        finally:
            cancelled.set()
            self._close_all()
            for t in threads:
                t.join(timeout=2.0)

    def _body(
        self, plan: PromptPlan, params: SamplingParams, variant: int, seed: int
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model_id,
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "seed": seed,
            "n": 1,
            "stream": True,
        }
        stops = [s for s in plan.stop if s.strip()][:4]  # whitespace stops are applied here
        if stops:
            body["stop"] = stops
        if plan.chat:
            body["messages"] = chat_messages(plan, variant)
        else:
            body["prompt"] = plan.full_prompt(variant)
        return body

    def _sample_retrying(
        self,
        plan: PromptPlan,
        params: SamplingParams,
        index: int,
        seed: int,
        events: queue.Queue[tuple[str, Any]],
        cancelled: threading.Event,
    ) -> RawSample:
        """A server that ends a stream unfinished when another request arrives (llama_cpp.server
        by default) is asked again, and from then on one request at a time."""
        for _ in range(INTERRUPT_RETRIES):
            try:
                with self._one_at_a_time if self.serial else contextlib.nullcontext():
                    return self._sample(plan, params, index, seed, events, cancelled)
            except _Interrupted:
                self.serial = True
        raise ServerRefused(
            f"The server at {self.endpoint.host_port} keeps ending answers unfinished; if it is "
            "python -m llama_cpp.server, start it with --interrupt_requests false."
        )

    def _sample(
        self,
        plan: PromptPlan,
        params: SamplingParams,
        index: int,
        seed: int,
        events: queue.Queue[tuple[str, Any]],
        cancelled: threading.Event,
    ) -> RawSample:
        variant = index % len(plan.suffixes)
        path = "/chat/completions" if plan.chat else "/completions"
        sock, response = self.endpoint.open(
            "POST",
            path,
            self._body(plan, params, variant, seed),
            self.spec.connect_timeout,
            self.spec.stall_timeout,
        )
        with self._lock:
            self._open.add(sock)
        text, n_tokens, reason, choices, finished = "", 0, "length", 0, False
        try:
            if "event-stream" not in (response.getheader("Content-Type") or ""):
                answer = self.endpoint.decode(response.read())  # a server that does not stream
                out = answer.get("choices") if isinstance(answer, dict) else None
                if not out:
                    raise ServerRefused(
                        f"The server at {self.endpoint.host_port} returned 0 samples instead of 1."
                    )
                text, finish = _choice_text(out[0])
                reason = "stop" if finish == "stop" else "length"
                n_tokens = int((answer.get("usage") or {}).get("completion_tokens") or 0)
            else:
                for event in self.endpoint.events(response):
                    out = event.get("choices") or []
                    if not out:
                        continue
                    choices += 1
                    piece, finish = _choice_text(out[0])
                    if piece:
                        text += piece
                        n_tokens += 1
                        events.put(("chunk", index))
                    if finish:
                        finished = True
                        reason = "stop" if finish == "stop" else "length"
                    cut, stopped = cut_at_stop(text, plan.stop)
                    if stopped:
                        text, reason, finished = cut, "stop", True
                        break
                if choices == 0:
                    raise ServerRefused(
                        f"The server at {self.endpoint.host_port} returned 0 samples instead of 1."
                    )
                if not finished and not cancelled.is_set():
                    raise _Interrupted
        except (OSError, http.client.HTTPException) as exc:
            if cancelled.is_set():
                raise GenerationCancelled from None
            raise self.endpoint.describe(
                exc, self.spec.connect_timeout, self.spec.stall_timeout
            ) from None
        finally:
            with self._lock:
                self._open.discard(sock)
            response.close()
            sock.close()
        text, _ = cut_at_stop(text, plan.stop)
        return RawSample(index, seed, variant, text, n_tokens, reason)

    def _close_all(self) -> None:
        """Close every open request at once (cancel): the server sees the client go."""
        with self._lock:
            socks = list(self._open)
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    # -- embeddings ----------------------------------------------------------------------------
    def embed(
        self, texts: Sequence[str], should_stop: Callable[[], bool] = lambda: False
    ) -> Iterator[Progress | np.ndarray]:
        """``/v1/embeddings`` of the server's model, in batches (mean-pooled here when the server
        returns one vector per token, as llama_cpp.server does for a model without pooling)."""
        rows: list[np.ndarray] = []
        for start in range(0, len(texts), EMBED_BATCH):
            if should_stop():
                raise GenerationCancelled
            batch = [t or " " for t in texts[start : start + EMBED_BATCH]]
            answer = self.endpoint.json(
                "POST",
                "/embeddings",
                {"model": self.model_id, "input": batch},
                self.spec.connect_timeout,
                self.spec.stall_timeout,
            )
            data = answer.get("data") if isinstance(answer, dict) else None
            if not isinstance(data, list) or len(data) != len(batch):
                raise ServerRefused(
                    f"The server at {self.endpoint.host_port} returned "
                    f"{len(data) if isinstance(data, list) else 0} embeddings instead of "
                    f"{len(batch)}."
                )
            for d in sorted(data, key=lambda d: d.get("index", 0)):
                vec = np.asarray(d["embedding"], dtype=np.float32)
                rows.append(vec.mean(axis=0) if vec.ndim == 2 else vec)  # per-token: mean-pool
            yield Progress(len(rows), len(texts))
        yield np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)

    def round_trip(self) -> float:
        """Seconds for one short sample: the "Test connection" figure."""
        plan = self.prepare(PromptPlan("connection-test", "Say hello.", ("",), ((),)))
        start = time.perf_counter()
        for _ in self._draw(plan, SamplingParams(max_tokens=4), [1], lambda: False):
            pass
        return time.perf_counter() - start

    def close(self) -> None:
        self._close_all()


def _choice_text(choice: dict[str, Any]) -> tuple[str, str | None]:
    """(text, finish_reason) of one choice of a completion or chat answer or stream chunk."""
    finish = choice.get("finish_reason")
    if "text" in choice:
        return str(choice.get("text") or ""), finish
    message = choice.get("delta") or choice.get("message") or {}
    return str(message.get("content") or ""), finish


def privacy_notice(url: str) -> str:
    """What the app says wherever opinions are typed while a server backend is active."""
    endpoint = Endpoint.parse(url)
    notice = f"Opinions are sent to {endpoint.host_port} (model server)."
    if not endpoint.is_local():
        notice += (
            f" Warning: {endpoint.host} is not on this machine or the local network, so "
            "opinions leave the room."
        )
    return notice
