#!/usr/bin/env bash
# Peak memory and speed of t2sql LoRA / QLoRA against llama.cpp's own full
# fine-tuning on a shape where the weights dominate, with the CLI only (the
# same measurement as bench/train_bench, by hand):
#   bash bench/train_memory.sh [work-dir]
# Shape: N_EMBD (1024), N_LAYER (4), N_HEAD (8), N_FF (2816), the 32k Llama SPM
# tokenizer, N_CTX (512). Both sides train one sequence per optimizer step on
# the demo warehouse's gen-data training split: t2sql one example (chat
# layout, up to N_CTX tokens) per step for STEPS steps; llama-finetune the
# same examples as one text, in N_CTX windows, for one epoch (the text is cut
# to about WINDOWS windows). Peak memory is each process's max RSS
# (/usr/bin/time), wall time includes loading.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
t2sql="${T2SQL:-$here/build/t2sql}"
finetune="${LLAMA_FINETUNE:-$here/build/bin/llama-finetune}"
work="${1:-/tmp/t2sql_train_memory}"
n_embd="${N_EMBD:-1024}" n_layer="${N_LAYER:-4}" n_head="${N_HEAD:-8}" n_ff="${N_FF:-2816}"
n_ctx="${N_CTX:-512}" steps="${STEPS:-2}" windows="${WINDOWS:-2}" threads="${THREADS:-2}" rank="${RANK:-64}"
mkdir -p "$work"
"$t2sql" model init --out "$work/base.f32.gguf" --vocab llama-spm --n-embd "$n_embd" --n-layer "$n_layer" \
  --n-head "$n_head" --n-ff "$n_ff" --n-ctx "$n_ctx"
"$t2sql" quantize --in "$work/base.f32.gguf" --out "$work/base.q4_0.gguf" --type q4_0
"$t2sql" demo init --path "$work/demo.db" --force >/dev/null
"$t2sql" gen-data --db "$work/demo.db" --out "$work/data" >/dev/null
# The same examples as one plain text for llama-finetune, about `windows`
# windows of n_ctx at stride n_ctx/2 (~3.3 characters a token).
python3 - "$work" "$(( (windows * 105 / 100 + 3) * n_ctx / 2 * 33 / 10 ))" <<'PY'
import json, sys
work, need = sys.argv[1], int(sys.argv[2])
text = ""
for line in open(f"{work}/data/train.chat.jsonl"):
    if len(text) >= need: break
    m = json.loads(line)["messages"]
    text += "\n".join(x["content"] for x in m) + "\n\n"
open(f"{work}/train.txt", "w").write(text)
PY
measure() {  # name, command...
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >"$work/$name.out" 2>&1 || { echo "$name failed:"; tail -5 "$work/$name.out"; exit 1; }
}
lora() {  # name, base
  measure "$1" "$t2sql" train --base "$2" --data "$work/data/train.jsonl" --out "$work/$1.gguf" --max-steps "$steps" \
    --checkpoint-every 0 --eval-every 0 --threads "$threads" --quiet --batch 1 --grad-accum 1 --rank "$rank" \
    --max-seq-len "$n_ctx"
}
lora lora_f32 "$work/base.f32.gguf"
lora qlora_q4_0 "$work/base.q4_0.gguf"
have_full=0
if [ -x "$finetune" ]; then
  measure full "$finetune" -m "$work/base.f32.gguf" -f "$work/train.txt" -c "$n_ctx" -b "$n_ctx" -ub "$n_ctx" \
    -t "$threads" --epochs 1 -ngl 0 -o "$work/full.gguf"
  have_full=1
fi
python3 - "$work" "$n_ctx" "$have_full" <<'PY'
import json, re, sys, os
work, n_ctx, have_full = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
def t(name):
    wall, kb = open(f"{work}/{name}.time").read().split()[-2:]
    return float(wall), int(kb) / 1024
rows = {}
for name in ("lora_f32", "qlora_q4_0"):
    log = json.load(open(f"{work}/{name}.log.json"))
    wall, mib = t(name)
    rows[name] = (wall, log["tokens_trained"] / wall, mib, log["tokens_trained"], log["trainable_parameters"])
print("base: %.1f MiB F32, %.1f MiB Q4_0; adapter %d parameters" % (
    os.path.getsize(f"{work}/base.f32.gguf") / 2**20, os.path.getsize(f"{work}/base.q4_0.gguf") / 2**20, rows["lora_f32"][4]))
if have_full:
    out = open(f"{work}/full.out", errors="replace").read()
    m = re.findall(r"data=0*(\d+)/0*(\d+)", out)
    train_windows = max(int(a) for a, b in m) if m else 0
    wall, mib = t("full")
    rows["full"] = (wall, train_windows * n_ctx / wall, mib, train_windows * n_ctx, 0)
print("| run | wall s | trained tokens | tokens/s | peak MiB |\n| --- | ---: | ---: | ---: | ---: |")
names = {"lora_f32": "t2sql LoRA (F32 base)", "qlora_q4_0": "t2sql QLoRA (Q4_0 base)", "full": "llama-finetune, full (F32)"}
for k, (wall, tps, mib, tok, _) in rows.items():
    print(f"| {names[k]} | {wall:.1f} | {tok:.0f} | {tps:.1f} | {mib:.1f} |")
if have_full:
    print("LoRA / full: speed %.2fx (target >= 1.5), peak memory %.2fx (target <= 0.5)" % (
        rows["lora_f32"][1] / rows["full"][1], rows["lora_f32"][2] / rows["full"][2]))
print("QLoRA / LoRA peak memory: %.2fx (target <= 0.4)" % (rows["qlora_q4_0"][2] / rows["lora_f32"][2]))
PY
