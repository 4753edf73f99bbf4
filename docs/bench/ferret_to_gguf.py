#!/usr/bin/env python3
"""Writes the language model of a Ferret folder (as `ferret bench --keep` writes it) as a llama.cpp GGUF file.

The same weights for both engines: F16 matrices stay F16, and our stored Q8_0 (`key` I8 quants plus
`key.q8_0_scales` F16, one scale per 32 weights of a row) become GGML Q8_0 blocks (per block: the fp16 scale, then
the 32 int8 quants), byte for byte. Norms are widened to F32, as convert_hf_to_gguf.py does for 1-D tensors. The
q/k rows are permuted exactly as convert_hf_to_gguf.py's LlamaModel.permute does, since llama.cpp rotates adjacent
pairs where Hugging Face rotates halves; a permutation of rows moves whole Q8_0 rows, so it is exact. The vision
tower, projector and region sampler are not part of a llama model and are left out (counted in the log).

Needs numpy, sentencepiece (for tokenizer.model) and gguf-py from the llama.cpp tree on PYTHONPATH; no torch.

    PYTHONPATH=$LLAMA_SRC/gguf-py python3 ferret_to_gguf.py CHECKPOINT/model OUT.gguf
"""
import argparse
import json
import logging
import re
import struct
import sys
from pathlib import Path

import numpy as np
import gguf
from sentencepiece import SentencePieceProcessor

LOG = logging.getLogger("ferret_to_gguf")
SCALES = ".q8_0_scales"
BLOCK = 32
DTYPES = {"F16": np.float16, "F32": np.float32, "BF16": None, "I8": np.int8}
LAYER = re.compile(r"model\.layers\.(\d+)\.(.+)\.weight")
LAYER_NAMES = {
    "input_layernorm": "attn_norm",
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "post_attention_layernorm": "ffn_norm",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
TOP_NAMES = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
             "lm_head.weight": "output.weight"}
NOT_LLAMA = ("model.mm_projector.", "model.region_geo_sampler.")


class SafeTensors:
    """The tensors of one or more .safetensors files, memory-mapped."""

    def __init__(self, folder: Path):
        index = folder / "model.safetensors.index.json"
        files = sorted(set(json.loads(index.read_text())["weight_map"].values())) if index.exists() \
            else ["model.safetensors"]
        self.entries = {}
        for name in files:
            path = folder / name
            with open(path, "rb") as f:
                (n,) = struct.unpack("<Q", f.read(8))
                header = json.loads(f.read(n))
            data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
            for key, info in header.items():
                if key != "__metadata__":
                    self.entries[key] = (data, info)

    def names(self):
        return list(self.entries)

    def get(self, key: str) -> np.ndarray:
        data, info = self.entries[key]
        dtype = DTYPES.get(info["dtype"])
        if dtype is None:
            raise ValueError(f"{key}: dtype {info['dtype']} is not one of F16, F32, I8")
        begin, end = info["data_offsets"]
        return data[begin:end].view(dtype).reshape(info["shape"])


def gguf_name(key: str) -> str:
    if key in TOP_NAMES:
        return TOP_NAMES[key]
    m = LAYER.fullmatch(key)
    if m is None or m.group(2) not in LAYER_NAMES:
        raise ValueError(f"{key} is neither a llama tensor nor one of the multimodal parts {NOT_LLAMA}")
    return f"blk.{m.group(1)}.{LAYER_NAMES[m.group(2)]}.weight"


def permute(rows: np.ndarray, n_head: int) -> np.ndarray:
    """convert_hf_to_gguf.py's LlamaModel.permute: each head's two halves interleaved, row by row."""
    return (rows.reshape(n_head, 2, rows.shape[0] // n_head // 2, *rows.shape[1:])
            .swapaxes(1, 2)
            .reshape(rows.shape))


def q8_0_blocks(quants: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """[rows, cols] int8 and [rows, cols/32] fp16 as GGML block_q8_0 bytes: [rows, cols/32 * 34] uint8."""
    rows, cols = quants.shape
    if scales.shape != (rows, cols // BLOCK) or cols % BLOCK:
        raise ValueError(f"Q8_0 quants {quants.shape} need scales of shape ({rows}, {cols // BLOCK}), got {scales.shape}")
    blocks = np.empty((rows, cols // BLOCK, 2 + BLOCK), dtype=np.uint8)
    blocks[:, :, :2] = np.ascontiguousarray(scales, dtype="<f2").view(np.uint8).reshape(rows, cols // BLOCK, 2)
    blocks[:, :, 2:] = quants.view(np.uint8).reshape(rows, cols // BLOCK, BLOCK)
    return blocks.reshape(rows, -1)


def tensors(st: SafeTensors, config: dict):
    """(gguf name, array, raw dtype or None) for every llama tensor, in the checkpoint's order."""
    heads, kv_heads = config["num_attention_heads"], config.get("num_key_value_heads", config["num_attention_heads"])
    for key in st.names():
        if key.endswith(SCALES):
            continue
        if key.startswith(NOT_LLAMA):
            continue
        name = gguf_name(key)
        array = st.get(key)
        quantised = key + SCALES in st.entries
        scales = st.get(key + SCALES) if quantised else None
        if key.endswith(("q_proj.weight", "k_proj.weight")):
            n = heads if "q_proj" in key else kv_heads
            array = permute(array, n)
            scales = permute(scales, n) if quantised else None
        if quantised:
            yield name, q8_0_blocks(array, scales), gguf.GGMLQuantizationType.Q8_0
        elif array.ndim == 1:
            yield name, array.astype(np.float32), None
        else:
            yield name, np.ascontiguousarray(array), None


def add_vocab(w: gguf.GGUFWriter, folder: Path, vocab_size: int):
    """tokenizer.model plus added_tokens.json, as convert_hf_to_gguf.py's _set_vocab_sentencepiece does."""
    sp = SentencePieceProcessor()
    sp.LoadFromFile(str(folder / "tokenizer.model"))
    tokens = [f"[PAD{i}]".encode() for i in range(vocab_size)]
    scores = [-10000.0] * vocab_size
    types = [gguf.TokenType.UNUSED] * vocab_size
    for i in range(sp.vocab_size()):
        tokens[i] = sp.IdToPiece(i).encode("utf-8")
        scores[i] = sp.GetScore(i)
        types[i] = (gguf.TokenType.UNKNOWN if sp.IsUnknown(i) else gguf.TokenType.CONTROL if sp.IsControl(i)
                    else gguf.TokenType.UNUSED if sp.IsUnused(i) else gguf.TokenType.BYTE if sp.IsByte(i)
                    else gguf.TokenType.NORMAL)
    added = folder / "added_tokens.json"
    for text, i in (json.loads(added.read_text()).items() if added.exists() else []):
        tokens[i], scores[i], types[i] = text.encode("utf-8"), -1000.0, gguf.TokenType.USER_DEFINED
    w.add_tokenizer_model("llama")
    w.add_tokenizer_pre("default")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    gguf.SpecialVocab(folder, n_vocab=vocab_size).add_to_gguf(w)


def convert(folder: Path, out: Path):
    config = json.loads((folder / "config.json").read_text())
    st = SafeTensors(folder)
    planned = [(name, a.shape, a.dtype, a.nbytes, raw) for name, a, raw in tensors(st, config)]  # sizes only
    quantised = any(raw is not None for *_, raw in planned)
    w = gguf.GGUFWriter(out, "llama")
    w.add_name(f"ferret4j random {config['hidden_size']}x{config['num_hidden_layers']}")
    w.add_context_length(config["max_position_embeddings"])
    w.add_embedding_length(config["hidden_size"])
    w.add_block_count(config["num_hidden_layers"])
    w.add_feed_forward_length(config["intermediate_size"])
    w.add_head_count(config["num_attention_heads"])
    w.add_head_count_kv(config.get("num_key_value_heads", config["num_attention_heads"]))
    w.add_rope_dimension_count(config["hidden_size"] // config["num_attention_heads"])
    w.add_layer_norm_rms_eps(config["rms_norm_eps"])
    w.add_vocab_size(config["vocab_size"])
    w.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0 if quantised else gguf.LlamaFileType.MOSTLY_F16)
    add_vocab(w, folder, config["vocab_size"])
    for name, shape, dtype, nbytes, raw in planned:   # header first, then the data one tensor at a time
        w.add_tensor_info(name, shape, dtype, nbytes, raw_dtype=raw)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    for _, array, _ in tensors(st, config):
        w.write_tensor_data(array)
    w.close()
    left_out = sum(key.startswith(NOT_LLAMA) for key in st.names())
    LOG.info("wrote %s: %d tensors, %s; left out the %d of the projector and region sampler", out, len(planned),
             "Q8_0" if quantised else "F16", left_out)


def main():
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", type=Path, help="the Ferret folder (CHECKPOINT/model of ferret bench --keep)")
    p.add_argument("out", type=Path, help="the .gguf file to write")
    a = p.parse_args()
    convert(a.model, a.out)


if __name__ == "__main__":
    sys.exit(main())
