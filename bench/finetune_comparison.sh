#!/usr/bin/env bash
# The design documents' comparison on the demo warehouse, by hand:
# template vs fine-tuned vs ensemble on held-out questions of SQL shapes that
# training never saw (gen-data's validation split). The fine-tuned model is a
# from-scratch model (`train --init`), trained on gen-data's training split,
# merged and run by the eval harness's llm mode.
#   bash bench/finetune_comparison.sh [work-dir] [steps]
# The model's shape comes from N_EMBD, N_LAYER, N_HEAD (default 128, 2, 4: the
# README's from-scratch recipe, which trains in minutes on 2 cores).
# Not in the test suite: it trains for minutes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
t2sql="${T2SQL:-$here/build/t2sql}"
work="${1:-/tmp/t2sql_finetune_comparison}"
steps="${2:-150}"
mkdir -p "$work"
"$t2sql" demo init --path "$work/demo.db" --force
"$t2sql" gen-data --db "$work/demo.db" --out "$work/data"
# The held-out split as an eval suite over the demo warehouse.
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
with open(f"{work}/heldout.jsonl", "w") as out:
    for line in open(f"{work}/data/valid.jsonl"):
        j = json.loads(line)
        out.write(json.dumps({"db": "demo", "question": j["question"], "sql": j["answer"]}) + "\n")
PY
"$t2sql" train --init --base "$work/base.gguf" --vocab llama-spm --n-embd "${N_EMBD:-128}" \
  --n-layer "${N_LAYER:-2}" --n-head "${N_HEAD:-4}" --data "$work/data" --out "$work/sql.lora.gguf" \
  --batch 4 --grad-accum 1 --max-steps "$steps" --lr 5e-3 --rank 32 --alpha 64 --eval-every 50 --max-eval 40
"$t2sql" merge --base "$work/base.gguf" --lora "$work/sql.lora.gguf" --out "$work/merged.gguf"
"$t2sql" eval --suite jsonl --data "$work/heldout.jsonl" --db "$work/demo.db" \
  --mode template,llm,ensemble --model "$work/merged.gguf" --markdown "$work/comparison.md" --json "$work/comparison.json"
