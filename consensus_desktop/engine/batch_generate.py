"""Sample many continuations of one prompt in a single llama.cpp batch.

The prompt's shared prefix is decoded once into every sequence at the same time (a token can belong
to several sequences in a ``llama_batch``); each opinion order (suffix) is decoded once into the
sequences that use it. From then on, every live sequence advances by one token per ``llama_decode``,
so the weights are read once per step for all of them. The next tokens of all live sequences are
picked in one vectorised step over the logits matrix (:mod:`token_picker`: top-k, top-p,
temperature, each sequence's own seeded generator); when the logits are on a GPU, the top-k runs
there, in llama.cpp's graph (:mod:`device_top_k`), and only the k best come back. Each sequence has
its own stop strings, EOS and token budget.

Reproducibility: the same request (prompt, number of samples, seeds, parameters) on the same
model and build gives the same samples. A sample is *not* guaranteed to equal the one its seed
gives in a batch of another size: llama.cpp's kernels sum in a different order for other batch
shapes, and sampling amplifies those last-bit differences.
"""

from __future__ import annotations

import codecs
import ctypes
from collections.abc import Callable, Iterator, Sequence

import llama_cpp
import numpy as np

from consensus_desktop.engine.cleaning import StopScanner, cut_at_stop
from consensus_desktop.engine.device_top_k import MAX_K, DeviceTopK
from consensus_desktop.engine.errors import ContextBudgetError, GenerationCancelled
from consensus_desktop.engine.local_model import LocalModel
from consensus_desktop.engine.token_batch import TokenBatch
from consensus_desktop.engine.token_picker import PickSettings, TokenPicker, sort_candidates
from consensus_desktop.engine.types import Progress, RawSample, SamplingParams

# Prompt tokens in the first decode: a short one, so the progress bar moves within the first
# second (a whole n_batch piece of the default model takes seconds on a loaded laptop); each
# further piece is twice as long, up to n_batch.
FIRST_PIECE = 8
# A statement may not open with these words (it would speak as one person: signable.first_person):
# their single tokens, bare or after a space or new line, get no chance as a sample's first
# written token (``open_as_group``).
FIRST_PERSON_OPENINGS = ("I", "My", "Me", "Myself", "Personally")


class _LogitsView:
    """The context's logits as a numpy matrix, built again only when llama.cpp moves them."""

    def __init__(self, ctx: llama_cpp.llama_context_p, n_vocab: int) -> None:
        self.ctx = ctx
        self.n_vocab = n_vocab
        self.address: int | None = None
        self.matrix = np.empty((0, n_vocab), dtype=np.float32)

    def rows(self, n_out: int) -> np.ndarray:
        """The first ``n_out`` output rows of the last decode (call after each decode)."""
        pointer = llama_cpp.llama_get_logits(self.ctx)
        address = ctypes.cast(pointer, ctypes.c_void_p).value
        if address != self.address or n_out > len(self.matrix):
            self.matrix = np.ctypeslib.as_array(pointer, (n_out, self.n_vocab))
            self.address = address
        return self.matrix[:n_out]


class BatchGenerator:
    """Owns one generation context on a :class:`LocalModel`; reused across calls."""

    def __init__(
        self,
        model: LocalModel,
        n_threads: int,
        max_kv_cells: int = 32768,
        device_top_k: bool | None = None,
    ) -> None:
        self.model = model
        # Top-k in llama.cpp's graph: by default where the logits are computed on a GPU.
        self.device_top_k = model.logits_on_gpu if device_top_k is None else device_top_k
        self._device = DeviceTopK()
        self.open_as_group = True  # mask first-person openings (FIRST_PERSON_OPENINGS)
        self._banned: np.ndarray | None = None
        self.n_threads = n_threads
        self.max_kv_cells = max_kv_cells
        self._ctx: llama_cpp.llama_context_p | None = None
        self._ctx_cells = 0
        self._ctx_seqs = 0
        self.n_batch = 512

    # -- context management -------------------------------------------------------------------
    def _ensure_context(self, cells: int, n_seq: int) -> llama_cpp.llama_context_p:
        if cells > self.max_kv_cells:
            raise ContextBudgetError(
                f"This request needs {cells:,} tokens of model memory; the limit is "
                f"{self.max_kv_cells:,}. Ask for fewer candidates or shorter statements."
            )
        if self._ctx is None or cells > self._ctx_cells or n_seq > self._ctx_seqs:
            self.close()
            params = llama_cpp.llama_context_default_params()
            params.n_ctx = max(512, -(-cells // 256) * 256)
            params.n_batch = self.n_batch
            params.n_ubatch = self.n_batch
            params.n_seq_max = max(n_seq, 1)
            params.n_threads = self.n_threads
            params.n_threads_batch = self.n_threads
            # One KV buffer for all sequences: the shared prompt's cells are stored once. (Separate
            # per-sequence buffers were measured too: no faster here, and N copies of the prompt.)
            params.kv_unified = True
            params.no_perf = True
            ctx = llama_cpp.llama_init_from_model(self.model.model_ptr, params)
            if not ctx:
                raise ContextBudgetError(
                    f"llama.cpp could not allocate a context of {params.n_ctx} tokens for "
                    f"{n_seq} sequences (out of memory?). Ask for fewer candidates."
                )
            self._ctx = ctx
            self.model.use_adapter(ctx)  # generation only: embeddings stay the base model's
            self._ctx_cells = int(llama_cpp.llama_n_ctx(ctx))
            self._ctx_seqs = params.n_seq_max
        return self._ctx

    def close(self) -> None:
        self._device.detach()
        if self._ctx is not None:
            llama_cpp.llama_free(self._ctx)
            self._ctx = None

    def _opening_ban(self) -> np.ndarray:
        """Token ids that would open a sample in the first person."""
        if self._banned is None:
            ids = {
                toks[0]
                for word in FIRST_PERSON_OPENINGS
                for lead in ("", " ", "\n", "\n\n")
                if len(toks := self.model.tokenize(lead + word)) == 1
            }
            self._banned = np.array(sorted(ids), dtype=np.int64)
        return self._banned

    def _mask_openings(
        self, values: np.ndarray, ids: np.ndarray, opening: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k candidates with first-person openings dropped (to -inf, last) in the rows of
        sequences that have written nothing but spaces yet; a row left with none is kept whole."""
        hit = np.isin(ids, self._opening_ban()) & opening[:, None]
        hit[hit.all(axis=1)] = False
        if not hit.any():
            return values, ids
        return sort_candidates(np.where(hit, -np.inf, values).astype(values.dtype), ids)

    # -- decoding -------------------------------------------------------------------------------
    def _decode(self, ctx: llama_cpp.llama_context_p, batch: TokenBatch) -> None:
        rc = llama_cpp.llama_decode(ctx, batch.prepared())
        if rc != 0:
            raise ContextBudgetError(f"llama_decode failed with code {rc} (context full?)")

    def _decode_prompt(
        self,
        ctx: llama_cpp.llama_context_p,
        prefix: tuple[list[int], list[int]],
        chunks: list[tuple[list[int], int, list[int]]],
    ) -> Iterator[int]:
        """Decode the shared prefix, then each (tokens, start position, seq ids) suffix chunk;
        yield the number of prompt tokens decoded after each decode.

        Everything is decoded in pieces of ``FIRST_PIECE`` tokens, then twice as many each time up
        to n_batch, but the last token of every suffix is held back to the end of the last piece: they are that
        decode's only outputs, row j for chunk j.
        """
        batch = TokenBatch(self.n_batch, self._ctx_seqs)
        prefix_tokens, prefix_seqs = prefix
        runs = [(prefix_tokens, 0, prefix_seqs)] + [(t[:-1], pos, seqs) for t, pos, seqs in chunks]
        piece, done = min(FIRST_PIECE, self.n_batch), 0
        for tokens, pos, seqs in runs:
            k = 0
            while k < len(tokens):
                if batch.n == piece:
                    self._decode(ctx, batch)
                    done += batch.n
                    yield done
                    batch.clear()
                    piece = min(2 * piece, self.n_batch)
                take = min(piece - batch.n, len(tokens) - k)
                batch.add_run(tokens[k : k + take], pos + k, seqs, False)
                k += take
        if batch.room < len(chunks):
            self._decode(ctx, batch)
            done += batch.n
            yield done
            batch.clear()
        for tokens, pos, seqs in chunks:
            batch.add(tokens[-1], pos + len(tokens) - 1, seqs, True)
        self._decode(ctx, batch)
        yield done + batch.n

    def log_likelihood(self, prompt: list[int], completion: list[int]) -> float:
        """Sum of log p(completion token | everything before it), read from the same context
        (and adapter) that generates."""
        tokens = prompt + completion
        ctx = self._ensure_context(len(tokens), 1)
        self._device.detach()  # every position's logits are read here
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(ctx), False)
        view = _LogitsView(ctx, self.model.info.n_vocab)
        batch = TokenBatch(self.n_batch, self._ctx_seqs)
        total = 0.0
        first = len(prompt) - 1  # the first position whose logits predict the completion
        for start in range(0, len(tokens) - 1, self.n_batch):
            end = min(start + self.n_batch, len(tokens) - 1)
            cut = min(max(first, start), end)  # positions from here on need their logits
            batch.clear()
            if cut > start:
                batch.add_run(tokens[start:cut], start, [0], False)
            if end > cut:
                batch.add_run(tokens[cut:end], cut, [0], True)
            self._decode(ctx, batch)
            if end > cut:
                rows = view.rows(end - cut).astype(np.float64)
                targets = np.array(tokens[cut + 1 : end + 1])
                peak = rows.max(axis=1)
                log_z = peak + np.log(np.exp(rows - peak[:, None]).sum(axis=1))
                total += float((rows[np.arange(len(rows)), targets] - log_z).sum())
        return total

    def generate(
        self,
        prefix: str,
        suffixes: Sequence[str],
        seeds: Sequence[int],
        params: SamplingParams,
        stop: Sequence[str] = (),
        should_stop: Callable[[], bool] = lambda: False,
    ) -> Iterator[Progress | RawSample]:
        """Yield each sample as soon as it finishes, and progress after every decode step.

        Sample ``i`` reads ``prefix + suffixes[i % len(suffixes)]`` and samples with ``seeds[i]``.
        ``should_stop`` is polled between decode steps; when it returns True the generator raises
        :class:`GenerationCancelled`, and the engine is ready for the next call.
        """
        n = len(seeds)
        if n == 0:
            return
        model = self.model
        prefix_tokens = model.tokenize(prefix, add_bos=model.add_bos)
        suffix_tokens = [model.tokenize(s) for s in suffixes]
        if any(not t for t in suffix_tokens):
            raise ValueError("empty prompt suffix")
        variant_of = [i % len(suffixes) for i in range(n)]
        members = [[i for i in range(n) if variant_of[i] == v] for v in range(len(suffixes))]
        used = [v for v in range(len(suffixes)) if members[v]]
        cells = (
            len(prefix_tokens)
            + sum(len(suffix_tokens[v]) for v in used)
            + n * (params.max_tokens + 1)
        )
        ctx = self._ensure_context(cells, n)
        on_device = self.device_top_k and 0 < params.top_k <= MAX_K
        if on_device:
            on_device = self._device.attach(ctx, n, min(params.top_k, model.info.n_vocab))
            self.device_top_k = on_device  # where llama.cpp cannot, the host searches (same tokens)
        else:
            self._device.detach()
        mem = llama_cpp.llama_get_memory(ctx)
        # Forget every cell (metadata only: zeroing the KV buffers costs ~0.02 ms per generated
        # token here, and cells no sequence holds are masked out of attention anyway).
        llama_cpp.llama_memory_clear(mem, False)

        start = len(prefix_tokens)
        chunks = [(suffix_tokens[v], start, members[v]) for v in used]
        picker = TokenPicker(PickSettings(params.temperature, params.top_p, params.top_k), seeds)
        view = _LogitsView(ctx, model.info.n_vocab)
        budget = n * params.max_tokens
        prompt = start + sum(len(t) for t, _, _ in chunks)
        try:
            if should_stop():
                raise GenerationCancelled
            for read in self._decode_prompt(ctx, (prefix_tokens, list(range(n))), chunks):
                yield Progress(0, budget, read, prompt)
                if should_stop():
                    raise GenerationCancelled
            # Output rows of the first step: each sequence reads its own suffix's last token.
            rows = np.array([used.index(variant_of[i]) for i in range(n)], dtype=np.intp)
            n_out = len(chunks)  # outputs of the last decode
            pos = np.array([start + len(suffix_tokens[variant_of[i]]) for i in range(n)])
            utf8 = [codecs.getincrementaldecoder("utf-8")("replace") for _ in range(n)]
            texts = [StopScanner(stop) for _ in range(n)]
            live = list(range(n))
            opening = np.full(n, self.open_as_group)  # nothing but spaces written yet
            batch = TokenBatch(n, 1)
            n_tok = 0  # every live sequence has written the same number of tokens
            done_tokens = 0
            while live:
                if should_stop():
                    raise GenerationCancelled
                masked = opening[live]
                if on_device:
                    values, ids = self._device.read(n_out, rows, model.info.n_vocab)
                    if masked.any():
                        values, ids = self._mask_openings(values, ids, masked)
                    tokens = picker.choose(values, ids, live)
                    if self._device.fell_back:  # this backend has no top-k: pick on the host
                        on_device = self.device_top_k = False
                        self._device.detach()
                elif masked.any():
                    logits = view.rows(int(rows.max()) + 1)
                    values, ids = picker.candidates(logits, rows)
                    tokens = picker.choose(*self._mask_openings(values, ids, masked), live)
                else:
                    tokens = picker.pick(view.rows(int(rows.max()) + 1), rows, live)
                n_tok += 1
                done_tokens += len(live)
                kept: list[int] = []
                kept_tokens: list[int] = []
                finished: list[RawSample] = []
                for i, token in zip(live, tokens, strict=True):
                    piece = model.piece(token)
                    if piece is None:
                        reason = "eos"
                    elif texts[i].feed(utf8[i].decode(piece)):
                        reason = "stop"
                    elif n_tok >= params.max_tokens:
                        reason = "length"
                    else:
                        kept.append(i)
                        kept_tokens.append(token)
                        continue
                    done_tokens += params.max_tokens - n_tok
                    text = cut_at_stop(texts[i].text + utf8[i].decode(b"", final=True), stop)[0]
                    finished.append(RawSample(i, seeds[i], variant_of[i], text, n_tok, reason))
                live = kept
                for i in live:
                    if opening[i] and texts[i].text.strip():
                        opening[i] = False
                yield from finished
                yield Progress(min(done_tokens, budget), budget, prompt, prompt)
                if live:
                    seqs = np.array(live)
                    batch.clear()
                    batch.add_steps(np.array(kept_tokens), pos[seqs], seqs)
                    pos[seqs] += 1
                    rows = np.arange(len(live))
                    n_out = len(live)
                    self._decode(ctx, batch)
        finally:
            llama_cpp.llama_memory_clear(mem, False)
