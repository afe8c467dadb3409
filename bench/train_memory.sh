#!/usr/bin/env bash
# Peak memory and speed of t2sql LoRA / QLoRA against llama.cpp's own full
# fine-tuning, with the CLI only (the same measurement as bench/train_bench,
# by hand):
#   bash bench/train_memory.sh [work-dir]
# Shape: N_EMBD (1024), N_LAYER (4), N_HEAD (8), N_HEAD_KV (= N_HEAD), N_FF
# (2816), the 32k Llama SPM tokenizer, N_CTX (512). Every t2sql run trains one
# example (chat layout, up to N_CTX tokens) per step for STEPS steps on the
# demo warehouse's gen-data training split, rank RANK on q,k,v,o,gate,up,down
# with the default dropout; the runs differ only in the base and in
# --gradient-checkpointing:
#   lora_f32      F32 base                 qlora_q4_0       Q4_0 base (llama.cpp's
#   lora_f32_gc   F32 base, checkpointing                   default: output Q6_K)
#   qlora_q4_0_gc, qlora_q4_0p_gc  the same with checkpointing; q4_0p is
#                 `quantize --pure` (the output layer in Q4_0 too)
# RUNS picks some of them (default all five, space-separated names).
# llama-finetune trains the same examples as one text, in N_CTX windows, for
# one epoch (the text is cut to about WINDOWS windows); FULL=0 skips it. Peak
# memory is each process's max RSS (/usr/bin/time), wall time includes
# loading. The runs go one after another.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
t2sql="${T2SQL:-$here/build/t2sql}"
finetune="${LLAMA_FINETUNE:-$here/build/bin/llama-finetune}"
work="${1:-/tmp/t2sql_train_memory}"
n_embd="${N_EMBD:-1024}" n_layer="${N_LAYER:-4}" n_head="${N_HEAD:-8}" n_ff="${N_FF:-2816}"
n_head_kv="${N_HEAD_KV:-$n_head}"
n_ctx="${N_CTX:-512}" steps="${STEPS:-2}" windows="${WINDOWS:-2}" threads="${THREADS:-2}" rank="${RANK:-64}"
full="${FULL:-1}"
runs="${RUNS:-lora_f32 qlora_q4_0 lora_f32_gc qlora_q4_0_gc qlora_q4_0p_gc}"
mkdir -p "$work"
"$t2sql" model init --out "$work/base.f32.gguf" --vocab llama-spm --n-embd "$n_embd" --n-layer "$n_layer" \
  --n-head "$n_head" --n-head-kv "$n_head_kv" --n-ff "$n_ff" --n-ctx "$n_ctx"
"$t2sql" quantize --in "$work/base.f32.gguf" --out "$work/base.q4_0.gguf" --type q4_0
"$t2sql" quantize --in "$work/base.f32.gguf" --out "$work/base.q4_0p.gguf" --type q4_0 --pure
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
lora() {  # name, base, extra options...
  local name="$1" base="$2"; shift 2
  case " $runs " in *" $name "*) ;; *) return 0 ;; esac
  measure "$name" "$t2sql" train --base "$base" --data "$work/data/train.jsonl" --out "$work/$name.gguf" \
    --max-steps "$steps" --checkpoint-every 0 --eval-every 0 --threads "$threads" --quiet --batch 1 --grad-accum 1 \
    --rank "$rank" --max-seq-len "$n_ctx" --verbose "$@"
}
lora lora_f32 "$work/base.f32.gguf"
lora qlora_q4_0 "$work/base.q4_0.gguf"
lora lora_f32_gc "$work/base.f32.gguf" --gradient-checkpointing
lora qlora_q4_0_gc "$work/base.q4_0.gguf" --gradient-checkpointing
lora qlora_q4_0p_gc "$work/base.q4_0p.gguf" --gradient-checkpointing
have_full=0
if [ "$full" = 1 ] && [ -x "$finetune" ]; then
  measure full "$finetune" -m "$work/base.f32.gguf" -f "$work/train.txt" -c "$n_ctx" -b "$n_ctx" -ub "$n_ctx" \
    -t "$threads" --epochs 1 -ngl 0 -o "$work/full.gguf"
  have_full=1
fi
python3 - "$work" "$n_ctx" "$have_full" "$runs" <<'PY'
import json, re, sys, os
work, n_ctx, have_full, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4].split()
def t(name):
    wall, kb = open(f"{work}/{name}.time").read().split()[-2:]
    return float(wall), int(kb) / 1024
names = {"lora_f32": "t2sql LoRA (F32 base)", "qlora_q4_0": "t2sql QLoRA (Q4_0 base)",
         "lora_f32_gc": "t2sql LoRA (F32 base), checkpointing",
         "qlora_q4_0_gc": "t2sql QLoRA (Q4_0 base), checkpointing",
         "qlora_q4_0p_gc": "t2sql QLoRA (pure Q4_0 base), checkpointing",
         "full": "llama-finetune, full (F32)"}
rows = {}
for name in [n for n in list(names)[:5] if n in runs]:
    log = json.load(open(f"{work}/{name}.log.json"))
    wall, mib = t(name)
    rows[name] = (wall, log["tokens_trained"] / wall, mib, log["tokens_trained"], log["trainable_parameters"],
                  log["final_loss"])
mb = lambda p: os.path.getsize(p) / 2**20
print("base: %.1f MiB F32, %.1f MiB Q4_0, %.1f MiB pure Q4_0; adapter %d parameters" % (
    mb(f"{work}/base.f32.gguf"), mb(f"{work}/base.q4_0.gguf"), mb(f"{work}/base.q4_0p.gguf"),
    next(iter(rows.values()))[4]))
if have_full:
    out = open(f"{work}/full.out", errors="replace").read()
    m = re.findall(r"data=0*(\d+)/0*(\d+)", out)
    train_windows = max(int(a) for a, b in m) if m else 0
    wall, mib = t("full")
    rows["full"] = (wall, train_windows * n_ctx / wall, mib, train_windows * n_ctx, 0, float("nan"))
print("| run | wall s | trained tokens | tokens/s | peak MiB | final loss |\n| --- | ---: | ---: | ---: | ---: | ---: |")
for k, (wall, tps, mib, tok, _, loss) in rows.items():
    print(f"| {names[k]} | {wall:.1f} | {tok:.0f} | {tps:.1f} | {mib:.1f} | {loss:.4f} |")
if have_full:
    for k in [k for k in ("lora_f32", "lora_f32_gc") if k in rows]:
        print("%s / full: speed %.2fx (target >= 1.5), peak memory %.2fx (target <= 0.5)" % (
            k, rows[k][1] / rows["full"][1], rows[k][2] / rows["full"][2]))
for q, l in (("qlora_q4_0", "lora_f32"), ("qlora_q4_0_gc", "lora_f32_gc"), ("qlora_q4_0p_gc", "lora_f32_gc")):
    if q in rows and l in rows:
      print("%s / %s peak memory: %.3fx (target <= 0.4)" % (q, l, rows[q][2] / rows[l][2]))
PY
