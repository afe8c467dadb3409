#!/usr/bin/env bash
# The design documents' comparison on the demo warehouse, in one command:
# template vs fine-tuned vs fine-tuned + RAG vs ensemble, on held-out
# questions of SQL shapes that training never saw (gen-data's validation
# split), reported as the documents' table is: execution rate, accuracy,
# similarity, novel-question handling, latency. The fine-tuned model is a
# from-scratch model (`train --init`: no pretrained weights can be downloaded
# here), trained on gen-data's training split, merged, and run by the eval
# harness's llm mode; "fine-tuned + RAG" is the same model given only the
# columns schema retrieval returns (`--mode llm+rag`).
#   bash bench/finetune_comparison.sh [work-dir] [steps]
# Environment: T2SQL (the binary), N_EMBD, N_LAYER, N_HEAD (model shape,
# default 128, 2, 4: the README's from-scratch recipe), TOP_COLUMNS (RAG's N,
# default 8: the demo warehouse has 33 columns, and from N = 10 on retrieval,
# with the keys and joining columns it adds, returns nearly all of them),
# MAX_TOKENS (answer limit, default 160), LIMIT (N held-out questions spread
# over the split, default all), JUDGE_MODEL (a GGUF judge: adds the judge metric),
# EMBED_MODEL (a GGUF embedding model: similarity by embeddings instead of
# the lexical measure), REUSE=1 (keep the work-dir's data and model: evaluate again).
# Writes <work-dir>/comparison.{md,json,txt} and comparison_table.md (the
# documents' table, also printed).
# Not in the test suite: it trains for minutes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
t2sql="${T2SQL:-$here/build/t2sql}"
work="${1:-/tmp/t2sql_finetune_comparison}"
steps="${2:-150}"
mkdir -p "$work"
# REUSE=1 with a finished work-dir: only the evaluation runs again.
if [[ "${REUSE:-0}" == 1 && -f "$work/merged.gguf" ]]; then
  reuse=1
else
  reuse=0
  "$t2sql" demo init --path "$work/demo.db" --force
  "$t2sql" gen-data --db "$work/demo.db" --out "$work/data"
fi
# The held-out split as an eval suite over the demo warehouse.
# LIMIT keeps that many questions spread evenly over the split (it is ordered by shape).
python3 - "$work" "${LIMIT:-0}" <<'PY'
import json, sys
work, limit = sys.argv[1], int(sys.argv[2])
lines = [l for l in open(f"{work}/data/valid.jsonl") if l.strip()]
if 0 < limit < len(lines):
    lines = [lines[i * len(lines) // limit] for i in range(limit)]
with open(f"{work}/heldout.jsonl", "w") as out:
    for line in lines:
        j = json.loads(line)
        out.write(json.dumps({"db": "demo", "question": j["question"], "sql": j["answer"],
                              "category": j.get("shape", "")}) + "\n")
PY
if [[ $reuse == 0 ]]; then
  "$t2sql" train --init --base "$work/base.gguf" --vocab llama-spm --n-embd "${N_EMBD:-128}" \
    --n-layer "${N_LAYER:-2}" --n-head "${N_HEAD:-4}" --data "$work/data" --out "$work/sql.lora.gguf" \
    --batch 4 --grad-accum 1 --max-steps "$steps" --lr 5e-3 --rank 32 --alpha 64 --eval-every 50 --max-eval 40
  "$t2sql" merge --base "$work/base.gguf" --lora "$work/sql.lora.gguf" --out "$work/merged.gguf"
fi
extra=()
if [[ -n "${JUDGE_MODEL:-}" ]]; then extra+=(--judge-model "$JUDGE_MODEL"); fi
if [[ -n "${EMBED_MODEL:-}" ]]; then extra+=(--embed-model "$EMBED_MODEL"); fi
"$t2sql" eval --suite jsonl --data "$work/heldout.jsonl" --db "$work/demo.db" \
  --mode template,llm,llm+rag,ensemble --model "$work/merged.gguf" --top-columns "${TOP_COLUMNS:-8}" \
  --max-tokens "${MAX_TOKENS:-160}" --train-data "$work/data/train.jsonl" "${extra[@]}" \
  --markdown "$work/comparison.md" --json "$work/comparison.json" | tee "$work/comparison.txt"
# The documents' table: one row per metric, one column per mode.
python3 - "$work/comparison.json" <<'PY' | tee "$work/comparison_table.md"
import json, sys
j = json.load(open(sys.argv[1]))
names = {"template": "Template", "llm": "Fine-tuned", "llm+rag": "Fine-tuned + RAG", "ensemble": "Ensemble"}
modes = j["modes"]
pct = lambda v: "-" if v is None else f"{100 * v:.1f}%"
def novel(m):
    n = m["novel"]
    if n is None or n["n"] == 0: return "-"
    return f"{pct(n['execution_accuracy'])} of {n['n']}"
rows = [
    ("Execution Rate", lambda m: pct(m["execution_rate"])),
    ("Execution Accuracy", lambda m: pct(m["execution_accuracy"])),
    ("Semantic Match (similarity)", lambda m: f"{m['similarity']:.3f}"),
    ("Judge", lambda m: pct(m["judge_accuracy"])),
    ("Novel Query Handling", novel),
    ("Prompt tokens per try (per question)", lambda m: "-" if m["prompt_tokens_mean"] is None
        else f"{m['prompt_tokens_per_try']:.0f} ({m['prompt_tokens_mean']:.0f})"),
    ("Inference Time p50 / p95", lambda m: f"{m['latency_ms']['p50']:.2f} / {m['latency_ms']['p95']:.2f} ms"),
]
print(f"\nheld-out questions: {j['n']}; similarity: {j['similarity_measure']}; training set: {j['training_set']}\n")
print("| Metric | " + " | ".join(names.get(m["mode"], m["mode"]) for m in modes) + " |")
print("| --- |" + " ---: |" * len(modes))
for label, f in rows:
    if label == "Judge" and all(m["judge_accuracy"] is None for m in modes): continue
    print(f"| {label} | " + " | ".join(f(m) for m in modes) + " |")
PY
