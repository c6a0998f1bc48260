"""Best-of-N generation on llama.cpp (no Qt).

- ``local_model``: loads a GGUF through llama.cpp's C API (all layers offloaded when llama.cpp was
  built with CUDA/Metal/Vulkan; threads = cores, at most 8); ``gguf_header`` turns a bad file into a
  specific error (missing, not GGUF, cut short, unknown architecture).
- ``batch_generate``: all N samples in one ``llama_batch`` per step; the prompt's shared prefix is
  decoded once into every sequence (one unified KV buffer), each opinion order once into the
  samples that use it; ``token_picker`` picks every sequence's next token in one numpy step over
  the logits matrix (top-k, top-p, temperature, each sequence's own seed); stop strings (checked
  on the new tail only), EOS and token budget; progress after every step and cancel between
  steps. ``token_batch``: the ``llama_batch`` as numpy arrays, a decode step filled in one go.
- ``budget``: the context policy (drop extra opinion orders, then shorten the longest opinions,
  visibly, then refuse naming the participants).
- ``cleaning``: whole sentences, no prompt echoes, no duplicates; ``engine`` tops up with new
  seeds (at most 3 x N samples) and reports how many it found.

Opinion order. The Habermas Machine shuffles opinions per sample so nobody always comes first; each
distinct order is a prompt suffix decoded separately. Measured with ``tests/bench/bench_generate.py``
(Gemma-3-270M, 5 opinions, N = 16, 60 tokens, 2 threads): one shared order 5.9 s, five rotations
(one per participant) 6.9 s (+16 %), sixteen per-sample orders 8.2 s (+38 %). The default is one
rotation per participant: every participant opens the prompt for N / n of the samples, at a
fraction of the per-sample cost; ``--orders 1`` is the fastest and ``--orders N`` shuffles per
sample.
"""
