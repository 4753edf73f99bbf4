#!/usr/bin/python3
"""PyTorch CPU baseline for the shapes ferret4j runs.

Builds random-weight modules of the real Ferret shapes with plain torch.nn (no
transformers, no checkpoints) and times them on the CPU:

  * CLIP ViT-L/14@336 vision tower: patch embedding, pre-layernorm and the 23
    encoder layers Ferret uses (it takes hidden_states[-2], the output of layer
    22 of 24). One 3x336x336 image, 577 tokens.
  * Vicuna-7B and Vicuna-13B (LLaMA) decoder layers: RMSNorm, rotary
    embeddings, causal multi-head attention, SwiGLU MLP.
      - prefill: one layer over a 700-token prompt (about 576 image tokens plus
        the text of a typical Ferret question);
      - decode: one layer for one new token against a 700-token KV cache;
      - lm_head: final RMSNorm plus the 32001-way output projection of one token.
    Whole-model rates are extrapolated from one layer: 32 layers (7B) or 40
    (13B), plus lm_head.
  * Memory read bandwidth: torch.sum over a 2 GB fp32 tensor.

Every measurement gets a small warm-up call (a few tokens, so oneDNN and the
BLAS set up their kernels and threads), optional full-size warm-up calls, then
--reps timed calls; the median, min and max are reported. The machine may be
shared, so each measurement also records how many cores other processes kept
busy while it ran ("other load"). Output: a JSON summary and a markdown table
on stdout (and the JSON in --json FILE).

Which BLAS runs fp32 matrix products is decided by the dynamic linker, not by
this script: Debian's torch calls sgemm_ from libblas.so.3, which the
alternatives system points at the reference BLAS (package libblas3) or at
OpenBLAS (libopenblas0-*). LD_PRELOAD of one library overrides both. The script
reports the BLAS libraries mapped into the process, the one sgemm_ binds to,
and an sgemm probe (GFLOP/s of a 1024^3 fp32 matmul) so each run says what it
measured. bf16 matrix products go through oneDNN and do not depend on the BLAS.

Usage (Debian bookworm: apt-get install python3-torch libopenblas0-pthread):
  /usr/bin/python3 docs/bench/torch_baseline.py --threads 2 --dtypes fp32,bf16
  LD_PRELOAD=/usr/lib/x86_64-linux-gnu/blas/libblas.so.3 \\
      /usr/bin/python3 docs/bench/torch_baseline.py --dtypes fp32 --warmup 0 --reps 1
"""

import argparse
import ctypes
import datetime
import json
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------

CLIP_L336 = dict(hidden=1024, heads=16, mlp=4096, layers_total=24,
                 layers_run=23, image=336, patch=14)

VICUNA = {
    "7b": dict(hidden=4096, heads=32, mlp=11008, layers=32, vocab=32001),
    "13b": dict(hidden=5120, heads=40, mlp=13824, layers=40, vocab=32001),
}

PROMPT_TOKENS = 700   # prefill length and KV-cache length for decode
DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}


# ---------------------------------------------------------------------------
# CLIP ViT-L/14@336 vision tower
# ---------------------------------------------------------------------------

def quick_gelu(x):
    """CLIP's activation: x * sigmoid(1.702 x)."""
    return x * torch.sigmoid(1.702 * x)


class ClipAttention(nn.Module):
    """Bidirectional multi-head self-attention with biased projections."""

    def __init__(self, hidden, heads):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.q_proj = nn.Linear(hidden, hidden)
        self.k_proj = nn.Linear(hidden, hidden)
        self.v_proj = nn.Linear(hidden, hidden)
        self.out_proj = nn.Linear(hidden, hidden)

    def forward(self, x):                                   # x: [B, T, C]
        b, t, c = x.shape
        shape = (b, t, self.heads, self.head_dim)
        q = self.q_proj(x).view(shape).transpose(1, 2)       # [B, H, T, D]
        k = self.k_proj(x).view(shape).transpose(1, 2)
        v = self.v_proj(x).view(shape).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-1, -2)) * self.head_dim ** -0.5
        probs = torch.softmax(scores, dim=-1)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(b, t, c)
        return self.out_proj(out)


class ClipLayer(nn.Module):
    """Pre-norm transformer block: x + attn(ln1(x)); x + mlp(ln2(x))."""

    def __init__(self, hidden, heads, mlp):
        super().__init__()
        self.layer_norm1 = nn.LayerNorm(hidden, eps=1e-5)
        self.self_attn = ClipAttention(hidden, heads)
        self.layer_norm2 = nn.LayerNorm(hidden, eps=1e-5)
        self.fc1 = nn.Linear(hidden, mlp)
        self.fc2 = nn.Linear(mlp, hidden)

    def forward(self, x):
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.fc2(quick_gelu(self.fc1(self.layer_norm2(x))))


class ClipVisionTower(nn.Module):
    """Patch embedding + class token + positions + pre-layernorm + layers."""

    def __init__(self, hidden, heads, mlp, layers_run, image, patch, **_):
        super().__init__()
        self.image = image
        self.patch_embedding = nn.Conv2d(3, hidden, patch, stride=patch, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(hidden) * 0.02)
        self.tokens = (image // patch) ** 2 + 1
        self.position_embedding = nn.Embedding(self.tokens, hidden)
        self.pre_layrnorm = nn.LayerNorm(hidden, eps=1e-5)
        self.layers = nn.ModuleList(ClipLayer(hidden, heads, mlp) for _ in range(layers_run))

    def forward(self, pixels):                              # pixels: [B, 3, 336, 336]
        patches = self.patch_embedding(pixels).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(pixels.shape[0], 1, -1)
        x = torch.cat([cls, patches], dim=1) + self.position_embedding.weight
        x = self.pre_layrnorm(x)
        for layer in self.layers:
            x = layer(x)
        return x                                            # = HF hidden_states[-2]


def clip_flops(hidden, mlp, layers_run, image, patch, **_):
    """Multiply-add count x2 of the matrix products of one image encode."""
    t = (image // patch) ** 2 + 1
    conv = 2 * (t - 1) * hidden * 3 * patch * patch
    per_layer = 2 * t * (4 * hidden * hidden + 2 * hidden * mlp) + 2 * 2 * t * t * hidden
    return conv + layers_run * per_layer


# ---------------------------------------------------------------------------
# LLaMA / Vicuna decoder layer
# ---------------------------------------------------------------------------

class RMSNorm(nn.Module):
    """LLaMA RMSNorm; the variance is taken in fp32 as in the reference code."""

    def __init__(self, hidden, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden))
        self.eps = eps

    def forward(self, x):
        var = x.float().pow(2).mean(-1, keepdim=True)
        return self.weight * (x.float() * torch.rsqrt(var + self.eps)).to(x.dtype)


def rotary_tables(positions, head_dim, dtype, base=10000.0):
    """cos/sin tables [T, D] for the given absolute positions (rotate-half layout)."""
    inv_freq = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    freqs = torch.outer(positions.float(), inv_freq)
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos().to(dtype), emb.sin().to(dtype)


def apply_rotary(x, cos, sin):                              # x: [B, H, T, D]
    half = x.shape[-1] // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos + rotated * sin


class LlamaAttention(nn.Module):
    """Causal multi-head attention with rotary embeddings and a KV cache."""

    def __init__(self, hidden, heads):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.q_proj = nn.Linear(hidden, hidden, bias=False)
        self.k_proj = nn.Linear(hidden, hidden, bias=False)
        self.v_proj = nn.Linear(hidden, hidden, bias=False)
        self.o_proj = nn.Linear(hidden, hidden, bias=False)

    def forward(self, x, cos, sin, past=None):
        """x: [B, T, C]; past: (k, v) [B, H, P, D] or None. Returns (out, (k, v))."""
        b, t, c = x.shape
        shape = (b, t, self.heads, self.head_dim)
        q = apply_rotary(self.q_proj(x).view(shape).transpose(1, 2), cos, sin)
        k = apply_rotary(self.k_proj(x).view(shape).transpose(1, 2), cos, sin)
        v = self.v_proj(x).view(shape).transpose(1, 2)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        scores = torch.matmul(q, k.transpose(-1, -2)) * self.head_dim ** -0.5
        if t > 1:                                           # causal mask for the prompt
            p = k.shape[2] - t
            mask = torch.full((t, t + p), float("-inf"), dtype=scores.dtype).triu(p + 1)
            scores = scores + mask
        probs = torch.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(b, t, c)
        return self.o_proj(out), (k, v)


class LlamaLayer(nn.Module):
    """x + attn(rms(x)); x + down(silu(gate(rms(x))) * up(rms(x)))."""

    def __init__(self, hidden, heads, mlp, **_):
        super().__init__()
        self.input_layernorm = RMSNorm(hidden)
        self.self_attn = LlamaAttention(hidden, heads)
        self.post_attention_layernorm = RMSNorm(hidden)
        self.gate_proj = nn.Linear(hidden, mlp, bias=False)
        self.up_proj = nn.Linear(hidden, mlp, bias=False)
        self.down_proj = nn.Linear(mlp, hidden, bias=False)

    def forward(self, x, cos, sin, past=None):
        attn, kv = self.self_attn(self.input_layernorm(x), cos, sin, past)
        x = x + attn
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h)), kv


class LmHead(nn.Module):
    """Final RMSNorm and the vocabulary projection."""

    def __init__(self, hidden, vocab, **_):
        super().__init__()
        self.norm = RMSNorm(hidden)
        self.lm_head = nn.Linear(hidden, vocab, bias=False)

    def forward(self, x):
        return self.lm_head(self.norm(x))


def llama_layer_flops(hidden, mlp, tokens, context):
    """Matrix-product flops of one layer for `tokens` queries over `context` keys."""
    return 2 * tokens * (4 * hidden * hidden + 3 * hidden * mlp) + 2 * 2 * tokens * context * hidden


def param_bytes(module):
    return sum(p.numel() * p.element_size() for p in module.parameters())


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds():
    """(busy CPU seconds of the whole machine, CPU seconds of this process)."""
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:]]
    busy = sum(ticks) - ticks[3] - ticks[4]                 # minus idle and iowait
    with open("/proc/self/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    own = int(fields[11]) + int(fields[12])                 # utime + stime, all threads
    return busy / CLK_TCK, own / CLK_TCK


# Busy cores taken by other processes during the last timed() call. The machine
# is shared, so every measurement records how quiet it was.
LAST_FOREIGN_CORES = [0.0]


def timed(fn, warmup, reps):
    """Run fn warmup times untimed, then reps times; return seconds of each timed call."""
    for _ in range(warmup):
        fn()
    times = []
    busy0, own0 = cpu_seconds()
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    busy1, own1 = cpu_seconds()
    LAST_FOREIGN_CORES[0] = max(0.0, (busy1 - busy0) - (own1 - own0)) / sum(times)
    return times


def summary(times, **extra):
    return dict(median_s=statistics.median(times), min_s=min(times), max_s=max(times),
                runs=len(times), times_s=[round(t, 5) for t in times],
                foreign_cores=round(LAST_FOREIGN_CORES[0], 3), **extra)


def bench_clip(dtype, warmup, reps):
    torch.manual_seed(0)
    tower = ClipVisionTower(**CLIP_L336).to(dtype).eval()
    pixels = torch.randn(1, 3, 336, 336).to(dtype)
    with torch.inference_mode():
        tower.layers[0](torch.randn(1, 8, CLIP_L336["hidden"]).to(dtype))   # small warm-up
        times = timed(lambda: tower(pixels), warmup, reps)
    flops = clip_flops(**CLIP_L336)
    s = statistics.median(times)
    return summary(times, gflop=flops / 1e9, gflops_per_s=flops / s / 1e9,
                   layers_timed=CLIP_L336["layers_run"])


def bench_llama(name, dtype, warmup, reps, parts=("prefill", "decode", "lm_head")):
    cfg = VICUNA[name]
    h, heads, d = cfg["hidden"], cfg["heads"], cfg["hidden"] // cfg["heads"]
    torch.manual_seed(0)
    layer = LlamaLayer(**cfg).to(dtype).eval()
    head = LmHead(**cfg).to(dtype).eval()
    n = PROMPT_TOKENS
    prompt = (torch.randn(1, n, h) * 0.5).to(dtype)
    token = (torch.randn(1, 1, h) * 0.5).to(dtype)
    cos_p, sin_p = rotary_tables(torch.arange(n), d, dtype)
    cos_d, sin_d = rotary_tables(torch.tensor([n]), d, dtype)
    cache = ((torch.randn(1, heads, n, d) * 0.5).to(dtype),
             (torch.randn(1, heads, n, d) * 0.5).to(dtype))
    out = {}
    with torch.inference_mode():
        c8, s8 = rotary_tables(torch.arange(8), d, dtype)
        layer(prompt[:, :8], c8, s8)                         # small warm-up
        head(token)
        if "prefill" in parts:
            t = timed(lambda: layer(prompt, cos_p, sin_p), warmup, reps)
            f = llama_layer_flops(h, cfg["mlp"], n, n)
            out["prefill"] = summary(t, tokens=n, gflop=f / 1e9,
                                     gflops_per_s=f / statistics.median(t) / 1e9)
        # decode reps are cheap: take at least 5 of them
        if "decode" in parts:
            t = timed(lambda: layer(token, cos_d, sin_d, cache), max(warmup, 1), max(reps, 5))
            wb = param_bytes(layer)
            out["decode"] = summary(t, kv_cache=n, weight_bytes=wb,
                                    weight_gb_per_s=wb / statistics.median(t) / 1e9)
        if "lm_head" in parts:
            t = timed(lambda: head(token), max(warmup, 1), max(reps, 5))
            wb = param_bytes(head)
            out["lm_head"] = summary(t, weight_bytes=wb,
                                     weight_gb_per_s=wb / statistics.median(t) / 1e9)
    # whole-model rates: L layers plus the output head
    L = cfg["layers"]
    model = dict(layers=L)
    if "prefill" in out and "lm_head" in out:
        s = L * out["prefill"]["median_s"] + out["lm_head"]["median_s"]
        model.update(prefill_s=s, prefill_tokens_per_s=n / s)
    if "decode" in out and "lm_head" in out:
        s = L * out["decode"]["median_s"] + out["lm_head"]["median_s"]
        model.update(decode_s_per_token=s, decode_tokens_per_s=1.0 / s)
    out["model"] = model
    return out


def bench_bandwidth(threads_list, gbytes=2.0, reps=5):
    """Read bandwidth: torch.sum over an fp32 tensor of `gbytes` GB."""
    x = torch.ones(int(gbytes * 1e9) // 4, dtype=torch.float32)
    res = {}
    saved = torch.get_num_threads()
    for n in threads_list:
        torch.set_num_threads(n)
        t = timed(lambda: x.sum(), 1, reps)
        res[str(n)] = summary(t, gb=x.numel() * 4 / 1e9,
                              gb_per_s=x.numel() * 4 / statistics.median(t) / 1e9)
    torch.set_num_threads(saved)
    del x
    return res


# ---------------------------------------------------------------------------
# Environment report
# ---------------------------------------------------------------------------

def loaded_blas_libraries():
    """Shared objects in this process whose name mentions blas or lapack."""
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            name = os.path.basename(path)
            if "blas" in name or "lapack" in name:
                libs.add(os.path.realpath(path))
    return sorted(libs)


def openblas_handle():
    """ctypes handle of the loaded OpenBLAS, or None if no OpenBLAS is mapped."""
    for path in loaded_blas_libraries():
        if "openblas" in os.path.basename(path):
            lib = ctypes.CDLL(path)
            if hasattr(lib, "openblas_get_corename"):
                return lib
    return None


def set_threads(n):
    """Set torch's intra-op threads and, if OpenBLAS is loaded, its own pool."""
    torch.set_num_threads(n)
    lib = openblas_handle()
    if lib is not None:
        lib.openblas_set_num_threads(n)


class _DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def sgemm_provider():
    """The shared object whose sgemm_ torch's calls bind to.

    The dynamic linker looks in the global scope first (the executable,
    LD_PRELOAD libraries, RTLD_GLOBAL objects), then in libtorch_cpu's own
    dependency tree; the same order is followed here.
    """
    libc = ctypes.CDLL(None)
    candidates = [libc]
    with open("/proc/self/maps") as f:
        torch_cpu = next((line.split()[-1] for line in f if "libtorch_cpu" in line), None)
    if torch_cpu:
        candidates.append(ctypes.CDLL(torch_cpu))
    for handle in candidates:
        try:
            addr = ctypes.cast(handle.sgemm_, ctypes.c_void_p)
        except AttributeError:
            continue
        info = _DlInfo()
        if libc.dladdr(addr, ctypes.byref(info)):
            return os.path.realpath(info.dli_fname.decode())
    return None


def blas_report():
    rep = dict(loaded=loaded_blas_libraries(), sgemm_from=sgemm_provider())
    lib = openblas_handle()
    if lib is not None:
        lib.openblas_get_corename.restype = ctypes.c_char_p
        lib.openblas_get_config.restype = ctypes.c_char_p
        rep["openblas_core"] = lib.openblas_get_corename().decode()
        rep["openblas_config"] = lib.openblas_get_config().decode()
        rep["openblas_threads"] = lib.openblas_get_num_threads()
    # sgemm probe: the BLAS that fp32 matmuls actually reach
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    t = statistics.median(timed(lambda: a @ b, 1, 3))
    rep["sgemm_1024_gflops_per_s"] = 2 * 1024 ** 3 / t / 1e9
    return rep


def machine_report():
    model, flags = "?", set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and model == "?":
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    wanted = ["avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile"]
    return dict(
        cpu=model,
        logical_cpus=os.cpu_count(),
        flags={f: f in flags for f in wanted},
        python=platform.python_version(),
        torch=torch.__version__,
        torch_cpu_capability=next((l.split(":", 1)[1].strip()
                                   for l in torch.__config__.show().splitlines()
                                   if "CPU capability usage" in l), "?"),
        env={k: os.environ[k] for k in sorted(os.environ)
             if k.startswith(("OPENBLAS", "OMP_", "GOMP", "LD_PRELOAD", "DNNL", "ONEDNN", "ATEN"))},
        loadavg=os.getloadavg(),
        date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    )


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def markdown(results):
    lines = ["| threads | dtype | measurement | median | min–max | rate | other load |",
             "|---|---|---|---|---|---|---|"]
    for key, r in results["runs"].items():
        threads, dtype = key.split("/")
        if "clip" in r:
            c = r["clip"]
            lines.append(f"| {threads} | {dtype} | CLIP-L/336 encode, {c['layers_timed']} layers | "
                         f"{c['median_s']:.3f} s | {c['min_s']:.3f}–{c['max_s']:.3f} | "
                         f"{c['gflops_per_s']:.0f} GFLOP/s | {c['foreign_cores']:.2f} |")
        for name in VICUNA:
            if name not in r:
                continue
            m = r[name]
            mod = m["model"]
            if "prefill" in m:
                p = m["prefill"]
                rate = f"{p['gflops_per_s']:.0f} GFLOP/s"
                if "prefill_tokens_per_s" in mod:
                    rate += f"; {mod['prefill_tokens_per_s']:.1f} tok/s for {mod['layers']} layers"
                lines.append(f"| {threads} | {dtype} | {name} prefill {p['tokens']} tok, 1 layer | "
                             f"{p['median_s']:.3f} s | {p['min_s']:.3f}–{p['max_s']:.3f} | "
                             f"{rate} | {p['foreign_cores']:.2f} |")
            if "decode" in m:
                d = m["decode"]
                lines.append(f"| {threads} | {dtype} | {name} decode 1 tok, 1 layer | "
                             f"{d['median_s'] * 1e3:.1f} ms | {d['min_s'] * 1e3:.1f}–{d['max_s'] * 1e3:.1f} | "
                             f"{d['weight_gb_per_s']:.1f} GB/s of weights | {d['foreign_cores']:.2f} |")
            if "lm_head" in m:
                h = m["lm_head"]
                rate = f"{h['weight_gb_per_s']:.1f} GB/s"
                if "decode_tokens_per_s" in mod:
                    rate += f"; decode {mod['decode_tokens_per_s']:.3f} tok/s for {mod['layers']} layers + lm_head"
                lines.append(f"| {threads} | {dtype} | {name} lm_head 1 tok | "
                             f"{h['median_s'] * 1e3:.1f} ms | {h['min_s'] * 1e3:.1f}–{h['max_s'] * 1e3:.1f} | "
                             f"{rate} | {h['foreign_cores']:.2f} |")
    for n, b in results.get("bandwidth", {}).items():
        lines.append(f"| {n} | fp32 | sum over {b['gb']:.1f} GB | {b['median_s']:.3f} s | "
                     f"{b['min_s']:.3f}–{b['max_s']:.3f} | {b['gb_per_s']:.1f} GB/s | {b['foreign_cores']:.2f} |")
    lines.append("")
    lines.append("other load: average cores kept busy by other processes while the measurement ran.")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", default="2", help="comma list, e.g. 2,1")
    ap.add_argument("--dtypes", default="fp32,bf16", help="comma list of fp32, bf16")
    ap.add_argument("--models", default="clip,7b,13b", help="comma list of clip, 7b, 13b")
    ap.add_argument("--parts", default="prefill,decode,lm_head",
                    help="decoder measurements, comma list of prefill, decode, lm_head")
    ap.add_argument("--warmup", type=int, default=1, help="full-size warm-up calls")
    ap.add_argument("--reps", type=int, default=3, help="timed calls (median reported)")
    ap.add_argument("--bandwidth", action="store_true", help="also measure read bandwidth")
    ap.add_argument("--label", default="", help="free text stored in the JSON")
    ap.add_argument("--json", help="write the JSON summary to this file")
    args = ap.parse_args()

    results = dict(label=args.label, machine=machine_report(), args=vars(args), runs={})
    set_threads(int(args.threads.split(",")[0]))
    results["blas"] = blas_report()
    print(json.dumps(dict(machine=results["machine"], blas=results["blas"]), indent=1),
          file=sys.stderr, flush=True)

    for n in map(int, args.threads.split(",")):
        set_threads(n)
        for dname in args.dtypes.split(","):
            dtype = DTYPES[dname]
            r = results["runs"][f"{n}/{dname}"] = {}
            for model in args.models.split(","):
                t0 = time.perf_counter()
                if model == "clip":
                    r["clip"] = bench_clip(dtype, args.warmup, args.reps)
                else:
                    r[model] = bench_llama(model, dtype, args.warmup, args.reps,
                                           args.parts.split(","))
                print(f"# {n} threads {dname} {model}: done in {time.perf_counter() - t0:.1f} s",
                      file=sys.stderr, flush=True)
    if args.bandwidth:
        results["bandwidth"] = bench_bandwidth(sorted({1, 2} | set(map(int, args.threads.split(",")))))
    results["loadavg_end"] = os.getloadavg()

    text = json.dumps(results, indent=1)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")
    print(text)
    print()
    print(markdown(results))


if __name__ == "__main__":
    main()
