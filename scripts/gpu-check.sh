#!/usr/bin/env bash
# Checks ferret4j on an NVIDIA GPU through ND4J's CUDA backend (docs/gpu.md):
#   1. reads the GPU (nvidia-smi) and refuses a driver older than 510, or a GPU that cannot run the backend's
#      machine code (sm_37 to sm_86, no PTX: compute capability 3.7 to 8.x);
#   2. builds with -Pcuda (the first build downloads ~610 MB of CUDA natives);
#   3. runs the golden end-to-end tests on the ND4J engine, on the GPU;
#   4. runs `ferret bench` on random weights of the 7B shape with the ND4J engine, sampling GPU memory;
#   5. prints one JSON line: GPU, test result, encode ms, prefill and decode tokens/s, peak GPU memory.
# Progress goes to stderr, the JSON line alone to stdout.
#
# Settings (environment):
#   GPU_CHECK_CPU=1          run every step on ND4J's CPU backend instead (no -Pcuda, no nvidia-smi): for trying
#                            the script without a GPU; the GPU fields of the JSON line are then null
#   GPU_CHECK_SHAPE=7b       bench model shape: 7b (default), 13b or tiny
#   GPU_CHECK_LAYERS=N       bench with only the first N decoder layers (default: all of the shape)
#   GPU_CHECK_NEW_TOKENS=16  tokens decoded per bench answer
#   GPU_CHECK_BUILD=0        skip step 2 (the launcher still builds what is missing or stale)
#   GPU_CHECK_TESTS=0        skip step 3
#   GPU_CHECK_WORK=DIR       where the bench writes its random checkpoint (7B: ~14 GB; default: the system temp dir)
#   FERRET_JAVA_OPTS         JVM options of the bench (see docs/gpu.md for 7B/13B memory settings)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cpu="${GPU_CHECK_CPU:-0}"
shape="${GPU_CHECK_SHAPE:-7b}"
new_tokens="${GPU_CHECK_NEW_TOKENS:-16}"
work="${GPU_CHECK_WORK:-${TMPDIR:-/tmp}}"
mvn_args=()
[ "$cpu" = 1 ] || mvn_args=(-Pcuda)
# Golden end-to-end checks that run on the ND4J engine (the default engine on the CUDA backend).
tests='FerretEndToEndTest,LlamaDecoderNd4jTest,!LlamaDecoderNd4jTest#decodesTheSameLogitsAsTheJavaEngine'
tests+=',ClipVisionTowerGoldenTest#theNd4jEngine*,Nd4jAttentionTest,Nd4jRotaryTest,HalfLinearTest'

log() { echo "gpu-check: $*" >&2; }
fail() { log "$*"; exit 1; }

# The value of "key" in a one-line JSON object without nested objects (a string or a number; null if absent).
json_field() {
  local value
  value="$(grep -o -E "\"$2\":(\"[^\"]*\"|[^,}\"]*)" <<< "$1" | head -n 1 | cut -d: -f2-)" || true
  echo "${value:-null}"
}

# Quotes a string for JSON.
json_string() {
  local s="${1//\\/\\\\}"
  printf '"%s"' "${s//\"/\\\"}"
}

# --- 1. the GPU ---------------------------------------------------------------------------------------------------
gpu_name=null
gpu_cc=null
gpu_driver=null
if [ "$cpu" != 1 ]; then
  command -v nvidia-smi > /dev/null || fail "nvidia-smi not found: install the NVIDIA driver (>= 510 for CUDA 11.6)"
  gpu_index="${CUDA_VISIBLE_DEVICES:-0}"
  gpu_index="${gpu_index%%,*}"
  IFS=',' read -r name cc driver < <(nvidia-smi -i "$gpu_index" --query-gpu=name,compute_cap,driver_version \
      --format=csv,noheader) || fail "nvidia-smi cannot read GPU $gpu_index"
  name="$(xargs <<< "$name")"; cc="$(xargs <<< "$cc")"; driver="$(xargs <<< "$driver")"
  gpu_name="$(json_string "$name")"; gpu_cc="$(json_string "$cc")"; gpu_driver="$(json_string "$driver")"
  log "GPU $gpu_index: $name, compute capability $cc, driver $driver"
  [ "${driver%%.*}" -ge 510 ] || fail "driver $driver is too old: CUDA 11.6 needs 510 or later"
  major="${cc%%.*}"
  if [ $(( major * 10 + ${cc##*.} )) -lt 37 ] || [ "$major" -gt 8 ]; then
    fail "compute capability $cc cannot run nd4j-cuda-11.6 1.0.0-M2.1: its machine code is sm_37 to sm_86 with no PTX, which runs on 3.7 to 8.x (\"no kernel image is available\" here)"
  fi
fi

# --- 2. build -----------------------------------------------------------------------------------------------------
cd "$root"
if [ "${GPU_CHECK_BUILD:-1}" != 0 ]; then
  log "building ${mvn_args[*]:-for the CPU backend} ..."
  mvn -B -q "${mvn_args[@]}" -DskipTests -pl ferret-examples -am package >&2
fi

# --- 3. golden end-to-end tests -----------------------------------------------------------------------------------
tests_result=skipped
if [ "${GPU_CHECK_TESTS:-1}" != 0 ]; then
  log "golden end-to-end tests on the ND4J engine ..."
  if mvn -B -q "${mvn_args[@]}" verify -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false >&2; then
    tests_result=passed
  else
    tests_result=failed
  fi
fi

# --- 4. bench, sampling GPU memory --------------------------------------------------------------------------------
mem_log="$(mktemp)"
sampler=
if [ "$cpu" != 1 ]; then
  nvidia-smi -i "$gpu_index" --query-gpu=memory.used --format=csv,noheader,nounits -lms 250 > "$mem_log" &
  sampler=$!
fi
bench_args=(bench --model "$shape" --weights f16 --engine nd4j --new-tokens "$new_tokens" --work "$work" --json)
[ -n "${GPU_CHECK_LAYERS:-}" ] && bench_args+=(--layers "$GPU_CHECK_LAYERS")
log "ferret ${bench_args[*]} ..."
bench_status=0
bench="$(FERRET_MVN_ARGS="${mvn_args[*]:-}" "$root/ferret" "${bench_args[@]}" | tail -n 1)" || bench_status=$?
if [ -n "$sampler" ]; then
  kill "$sampler" 2> /dev/null || true
  wait "$sampler" 2> /dev/null || true
fi
gpu_memory_mib="$(sort -n "$mem_log" | tail -n 1)"
rm -f "$mem_log"
[ "$bench_status" = 0 ] || fail "ferret bench failed with exit code $bench_status"

# --- 5. one JSON line ---------------------------------------------------------------------------------------------
printf '{"backend":"%s","gpu":%s,"compute_capability":%s,"driver":%s,"golden_tests":"%s","model":%s,' \
  "$([ "$cpu" = 1 ] && echo cpu || echo cuda)" "$gpu_name" "$gpu_cc" "$gpu_driver" "$tests_result" \
  "$(json_field "$bench" model)"
printf '"engine":%s,"weights":%s,"encode_ms":%s,"prefill_tokens_per_s":%s,"decode_tokens_per_s":%s,' \
  "$(json_field "$bench" engine)" "$(json_field "$bench" weights)" "$(json_field "$bench" encode_ms)" \
  "$(json_field "$bench" prefill_tokens_per_s)" "$(json_field "$bench" decode_tokens_per_s)"
printf '"gpu_memory_peak_mib":%s,"peak_rss_bytes":%s}\n' "${gpu_memory_mib:-null}" \
  "$(json_field "$bench" peak_rss_bytes)"
[ "$tests_result" != failed ] || exit 1
