#!/usr/bin/env bash
# LLM engine benchmarks, side by side in one run: t2sql's in-process backend vs
# llama.cpp's own llama-bench on the same models (random weights in the shapes
# of a 0.5B and a 1.5B model, Q4_0 and Q8_0), generation under the SQL
# constraints (grammar, scope checker, token budget) vs without, and the
# prefix cache's time to first token. Writes bench/results/llm_bench.md (OUT=
# another file).
#
#   bash bench/run_llm_bench.sh            # both shapes
#   SHAPES=0.5b bash bench/run_llm_bench.sh
# Needs build/bin/llama-bench (scripts/build.sh -DT2SQL_LLAMA_TOOLS=ON).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${T2SQL_BUILD_DIR:-$root/build}"
models="${T2SQL_BENCH_MODELS:-${XDG_CACHE_HOME:-$HOME/.cache}/t2sql/bench-models}"
out="${OUT:-$root/bench/results/llm_bench.md}"
threads="${THREADS:-$(nproc)}"
mkdir -p "$models" "$(dirname "$out")"
[ -x "$build/bin/llama-bench" ] || { echo "error: $build/bin/llama-bench not built (scripts/build.sh -DT2SQL_LLAMA_TOOLS=ON)" >&2; exit 1; }

# name: n_embd n_layer n_head n_head_kv n_ff (the Qwen2.5 0.5B and 1.5B shapes, Qwen2 tokenizer)
declare -A shape=(
  [0.5b]="896 24 14 2 4864"
  [1.5b]="1536 28 12 2 8960"
)
args=()
for s in ${SHAPES:-0.5b 1.5b}; do
  read -r embd layer head kv ff <<<"${shape[$s]}"
  for q in q4_0 q8_0; do
    m="$models/random-$s-$q.gguf"
    if [ ! -f "$m" ]; then
      f32="$models/random-$s-f32.gguf"
      [ -f "$f32" ] || "$build/t2sql" model init --out "$f32" --vocab qwen2 --n-embd "$embd" --n-layer "$layer" \
        --n-head "$head" --n-head-kv "$kv" --n-ff "$ff" --n-ctx 4096
      "$build/bench/llm_bench" quantize "$f32" "$m" "$q"
    fi
    args+=(--model "$m")
  done
  rm -f "$models/random-$s-f32.gguf"
done
"$build/bench/llm_bench" run "${args[@]}" --llama-bench "$build/bin/llama-bench" --threads "$threads" \
  --prompt "${PROMPT:-128}" --gen "${GEN:-32}" --reps "${REPS:-3}" --out "$out"
echo "wrote $out"
