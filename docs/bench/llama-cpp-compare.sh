#!/usr/bin/env bash
# ferret4j against llama.cpp on the same weights, on this CPU: prefill and decode of the language model.
#
#   docs/bench/llama-cpp-compare.sh --llama-src DIR --checkpoint DIR [--checkpoint DIR ...] [options]
#
# DIR of --checkpoint is a folder written by `ferret bench --keep DIR` (its manifest names the model size, layers and
# weight format, which the ferret runs repeat). The script
#   1. builds llama.cpp's llama-bench from the source tree of --llama-src, CPU only (-DGGML_NATIVE=ON, Release), into
#      --build (default DIR/build-cpu; a previous build there is reused);
#   2. converts each checkpoint's language model to CHECKPOINT/llama.gguf with ferret_to_gguf.py and the tree's gguf-py
#      (kept for later runs): F16 stays F16, our Q8_0 becomes GGML Q8_0 byte for byte, so both engines read the
#      same weights;
#   3. runs, interleaved, `ferret bench --checkpoint` and `llama-bench` (prefill -p over the rows ferret's prefill
#      computed, decode -n) at each thread count, --rounds times;
#   4. prints both engines' figures side by side with their ratios, the CPU model and flags, and the range of the
#      1-minute load average before the runs (other work on the machine slows both, two threads the most).
# Needs cmake, a C++ compiler, and python3 with numpy and sentencepiece (Debian: python3-numpy python3-sentencepiece;
# PYTHON=/path/to/python3 picks the interpreter).
# A llama.cpp source tree: `git clone https://github.com/ggerganov/llama.cpp && git -C llama.cpp checkout COMMIT`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
llama_src=""
build=""
checkpoints=()
threads="1 2"
rounds=2
new_tokens=16
repetitions=3
out=""

usage() {
  cat <<EOF
usage: $0 --llama-src DIR --checkpoint DIR [--checkpoint DIR ...] [options]
  --llama-src DIR      llama.cpp source tree (a checkout of github.com/ggerganov/llama.cpp)
  --checkpoint DIR     a folder written by ferret bench --keep DIR (more than one: compared in turn)
  --build DIR          llama.cpp build folder, reused if built (default: LLAMA_SRC/build-cpu)
  --threads "N ..."    thread counts, each run by both engines (default: "$threads")
  --rounds N           interleaved rounds of both engines (default: $rounds)
  --new-tokens N       tokens decoded by both (default: $new_tokens)
  --repetitions N      llama-bench repetitions per test (-r; default: $repetitions)
  --out DIR            keep every run's JSON there (default: a temporary folder, deleted)
EOF
}

die() {
  echo "llama-cpp-compare: $*" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --llama-src) llama_src="${2:?--llama-src needs a folder}"; shift 2 ;;
    --checkpoint) checkpoints+=("${2:?--checkpoint needs a folder}"); shift 2 ;;
    --build) build="${2:?--build needs a folder}"; shift 2 ;;
    --threads) threads="${2:?--threads needs thread counts}"; shift 2 ;;
    --rounds) rounds="${2:?--rounds needs a number}"; shift 2 ;;
    --new-tokens) new_tokens="${2:?--new-tokens needs a number}"; shift 2 ;;
    --repetitions) repetitions="${2:?--repetitions needs a number}"; shift 2 ;;
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
[ -n "$llama_src" ] || die "--llama-src DIR is required (a llama.cpp source tree)"
[ -f "$llama_src/CMakeLists.txt" ] && [ -d "$llama_src/gguf-py/gguf" ] \
  || die "$llama_src is not a llama.cpp source tree (expected CMakeLists.txt and gguf-py/gguf)"
[ ${#checkpoints[@]} -gt 0 ] || die "--checkpoint DIR is required (a folder written by ferret bench --keep DIR)"
for c in "${checkpoints[@]}"; do
  [ -f "$c/ferret-bench.json" ] || die "$c holds no ferret-bench.json: write it with ferret bench --keep $c"
done
command -v cmake > /dev/null || die "cmake is missing"
# PYTHON picks the interpreter; else the first python3 with numpy and sentencepiece (Debian's if another comes first).
for python in ${PYTHON:-python3 /usr/bin/python3} ""; do
  [ -n "$python" ] && "$python" -c 'import numpy, sentencepiece' 2> /dev/null && break
done
[ -n "$python" ] || die "no python3 with numpy and sentencepiece (Debian: apt-get install python3-numpy \
python3-sentencepiece; PYTHON=... picks another interpreter)"
llama_src="$(cd "$llama_src" && pwd)"
build="${build:-$llama_src/build-cpu}"
if [ -z "$out" ]; then
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"

# 1. llama-bench, CPU only, tuned for this CPU; cmake rebuilds nothing when the build is current.
if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "configuring llama.cpp in $build ..." >&2
  cmake -S "$llama_src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DBUILD_SHARED_LIBS=OFF \
    -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_SERVER=OFF > "$out/cmake-configure.log" || { cat "$out/cmake-configure.log" >&2; exit 1; }
fi
echo "building llama-bench ..." >&2
cmake --build "$build" --target llama-bench -j "$(nproc)" > "$out/cmake-build.log" \
  || { tail -30 "$out/cmake-build.log" >&2; exit 1; }
llama_bench="$build/bin/llama-bench"
llama_commit="$(git -C "$llama_src" rev-parse HEAD 2> /dev/null || echo "unknown (not a git checkout)")"

# 2. One GGUF per checkpoint, converted again only when the checkpoint is newer.
for c in "${checkpoints[@]}"; do
  if [ ! -f "$c/llama.gguf" ] || [ "$c/ferret-bench.json" -nt "$c/llama.gguf" ]; then
    echo "converting $c to GGUF ..." >&2
    PYTHONPATH="$llama_src/gguf-py${PYTHONPATH:+:$PYTHONPATH}" "$python" "$here/ferret_to_gguf.py" "$c/model" \
      "$c/llama.gguf.partial" >&2
    mv "$c/llama.gguf.partial" "$c/llama.gguf"
  fi
done

manifest() {  # manifest FOLDER FIELD
  "$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["checkpoint"][sys.argv[2]])' \
    "$1/ferret-bench.json" "$2"
}

# 3. Interleaved: each round runs every thread count and checkpoint with ferret4j, then llama.cpp.
for round in $(seq 1 "$rounds"); do
  for t in $threads; do
    for i in "${!checkpoints[@]}"; do
      c="${checkpoints[$i]}"
      name="c$i-t$t-r$round"
      echo "round $round, $t thread(s), $c: ferret4j ..." >&2
      cut -d' ' -f1 /proc/loadavg >> "$out/loadavg.txt"          # other work on the machine moves both engines
      JAVA_TOOL_OPTIONS="-Dferret4j.kernel.threads=$t" "$root/ferret" bench --checkpoint "$c" \
        --model "$(manifest "$c" model)" --layers "$(manifest "$c" layers)" --weights "$(manifest "$c" weights)" \
        --threads "$t" --new-tokens "$new_tokens" --json 2> "$out/ferret-$name.log" > "$out/ferret-$name.json" \
        || { tail -20 "$out/ferret-$name.log" >&2; exit 1; }
      rows="$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["prompt_rows"])' \
        "$out/ferret-$name.json")"
      echo "round $round, $t thread(s), $c: llama.cpp (-p $rows -n $new_tokens) ..." >&2
      cut -d' ' -f1 /proc/loadavg >> "$out/loadavg.txt"
      "$llama_bench" -m "$c/llama.gguf" -t "$t" -p "$rows" -n "$new_tokens" -r "$repetitions" -o json \
        2> "$out/llama-$name.log" > "$out/llama-$name.json" || { tail -20 "$out/llama-$name.log" >&2; exit 1; }
    done
  done
done

# 4. Side by side.
"$python" "$here/llama_cpp_compare_report.py" --out "$out" --llama-commit "$llama_commit" "${checkpoints[@]}"
