"""Supervised fine-tuning of the generator on statements people endorsed (issue 14).

The pipeline, one module a step:

- ``opinion_groups``: opinion groups and group-aware consensus of a Polis conversation;
- ``polis_examples``: high-consensus Polis comments as targets, other people's comments as input;
- ``session_examples``: the statement each room rated best (and better-rated revisions);
- ``data``: both sources in the app's prompt template, written as one JSON-lines set;
- ``token_examples``: the set as token ids, as generation presents prompt and statement;
- ``lora`` and ``trainer``: LoRA fine-tuning with torch (the ``[train]`` extra), checkpoints;
- ``train_run``: one run from files to files (checks first); ``learn``: the app's "Learn from
  past sessions";
- ``adapter_file``: a LoRA adapter as a llama.cpp adapter GGUF, checked against its base model;
- ``card``: the card beside an adapter; ``validation``: held-out figures through llama.cpp.
"""
