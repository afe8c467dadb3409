#!/usr/bin/env bash
# Constrained decoding over random models of every architecture: how many
# answers end in a statement, how many of those prepare on the database, how
# many reach a dead end of the constraints or the token limit. An untrained
# model wanders as no real one does, so this measures the decoding loop
# (grammar, scope checker, token budget, backtracking), not answers:
#   bash bench/grammar_sweep.sh [work-dir]
# ARCHS (llama mistral qwen2 gemma gemma2), SEEDS of the weights (13 17 19),
# LIMIT questions of the demo suite per model (6), MAX_TOKENS per answer (48),
# INIT_STD of the weights (0.02), VOCAB the tokenizer (llama-spm, 32k, for
# every architecture; VOCAB=own gives each its own: llama-bpe 128k, qwen2
# 152k, gemma-4 262k, slower to search). Writes bench/results/grammar_sweep.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
t2sql="${T2SQL:-$here/build/t2sql}"
work="${1:-/tmp/t2sql_grammar_sweep}"
archs="${ARCHS:-llama mistral qwen2 gemma gemma2}"
seeds="${SEEDS:-13 17 19}"
limit="${LIMIT:-6}" max_tokens="${MAX_TOKENS:-48}" init_std="${INIT_STD:-0.02}" vocab="${VOCAB:-llama-spm}"
out="${OUT:-$here/bench/results/grammar_sweep.md}"
mkdir -p "$work" "$(dirname "$out")"
for arch in $archs; do
  for seed in $seeds; do
    m="$work/$arch-$seed.gguf"
    extra=()
    [ "$vocab" = own ] || extra=(--vocab "$vocab")
    case "$arch" in
      qwen2) extra+=(--n-head-kv 2) ;;
      gemma) extra+=(--n-head-kv 1 --head-dim 32) ;;
      gemma2) extra+=(--n-head-kv 2 --head-dim 32) ;;
    esac
    [ -f "$m" ] || "$t2sql" model init --out "$m" --arch "$arch" --n-embd 64 --n-layer 2 --n-head 4 --n-ff 128 \
      --init-std "$init_std" --seed "$seed" "${extra[@]}" >/dev/null
    echo "== $arch seed $seed"
    "$t2sql" eval --suite demo --mode llm --model "$m" --max-tokens "$max_tokens" --max-repairs 0 \
      --limit "$limit" --jobs 1 --json "$work/$arch-$seed.json" >/dev/null
  done
done
python3 - "$work" "$out" "$archs" "$seeds" "$limit" "$max_tokens" "$vocab" <<'PY'
import json, sys
work, out, archs, seeds, limit, max_tokens, vocab = sys.argv[1:]
rows = []
total = [0] * 6
for arch in archs.split():
    n = ended = prepared = dead = length = 0
    ms = 0.0
    for seed in seeds.split():
        d = json.load(open(f"{work}/{arch}-{seed}.json"))
        for c in d["cases"]:
            n += 1
            ms += c.get("generation_ms") or 0.0
            reason = c.get("reason") or ""
            if "dead end" in reason:
                dead += 1
            elif "token limit" in reason:
                length += 1
            else:
                ended += 1
                prepared += bool(c.get("executed"))
    rows.append(f"| {arch} | {n} | {ended} | {prepared} | {dead} | {length} | {ms / max(n, 1) / 1000:.1f} |")
    for i, v in enumerate((n, ended, prepared, dead, length)):
        total[i] += v
    total[5] += ms
rows.append(f"| all | {total[0]} | {total[1]} | {total[2]} | {total[3]} | {total[4]} | "
            f"{total[5] / max(total[0], 1) / 1000:.1f} |")
text = (f"# Constrained decoding over random models\n\n"
        f"`bash bench/grammar_sweep.sh`: seeds {seeds}, {limit} demo questions per model, greedy, "
        f"tokenizer {vocab}, "
        f"{max_tokens} tokens, grammar and scope checker on, no repair.\n\n"
        "| architecture | answers | ended | prepared | dead ends | token limit | seconds per answer |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n")
open(out, "w").write(text)
print(text)
PY
