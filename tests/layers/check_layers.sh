#!/usr/bin/env bash
# Checks the layers of src/ against tests/layers/layers.txt:
#  - every #include "<folder>/..." and "t2sql/..." of a library file (src/, not
#    *_test.cc) names its own target or one its target may use, directly or
#    through others; the public headers' own includes likewise;
#  - every folder of src/ and every public header has a line in the table;
#  - with --cmake FILE (written by CMake: "<target>: <t2sql targets it links>"),
#    each target links exactly the targets the table gives it;
#  - no library or program file (src/, tools/; not tests, not src/testing/)
#    reads T2SQL_SOURCE_DIR, T2SQL_LLAMA_DIR or T2SQL_BINARY_DIR: the program
#    never looks into the source tree, llama.cpp's or the build tree.
# Prints each violation with its file and line; exits 1 if there is any.
# Usage: check_layers.sh [--cmake FILE] [ROOT]
set -euo pipefail
cmake_file=""
if [[ "${1:-}" == "--cmake" ]]; then
  cmake_file="$2"
  shift 2
fi
root="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
table="$root/tests/layers/layers.txt"
cd "$root"
mapfile -t files < <(find src include/t2sql tools -type f \( -name '*.cc' -o -name '*.h' \) ! -name '*_test.cc' | sort)
[[ -f "$table" ]] || { echo "check_layers: no table at $table" >&2; exit 2; }
awk -v cmake_file="$cmake_file" '
function closure(t,   n, i, d, parts) {
  if (t in done) return
  done[t] = 1
  n = split(deps[t], parts, " ")
  for (i = 1; i <= n; i++) {
    d = parts[i]
    if (!(d in deps)) { bad("tests/layers/layers.txt: target " t " uses unknown target " d); continue }
    closure(d)
    allowed[t, d] = 1
    for (k in allowed) { split(k, kk, SUBSEP); if (kk[1] == d) allowed[t, kk[2]] = 1 }
  }
}
function bad(msg) { print msg; failures++ }
# The target of a file under src/ ("" for none); path like src/generate/x.cc.
function target_of(path,   p, n, stem, folder) {
  n = split(path, p, "/")
  folder = p[2]
  if (folder == "generate") {
    if (n == 3) {
      stem = p[3]
      sub(/\.(cc|h)$/, "", stem)
      for (g in gen_files) if (stem == g || index(stem, g "_") == 1) return "generate"
    }
    return "template"
  }
  return folder
}
FILENAME == ARGV[1] {
  if ($0 ~ /^#/ || NF == 0) next
  if ($1 == "header") { header[$2] = $3; next }
  if ($1 == "llama:") { for (i = 2; i <= NF; i++) llama_ok[$i] = 1; next }
  if ($1 == "generate-files:") { for (i = 2; i <= NF; i++) gen_files[$i] = 1; next }
  t = $1; sub(/:$/, "", t)
  deps[t] = ""
  order[++ntargets] = t
  for (i = 2; i <= NF; i++) deps[t] = deps[t] " " $i
  next
}
FNR == 1 {
  if (!tables_done) {
    for (i = 1; i <= ntargets; i++) closure(order[i])
    tables_done = 1
  }
  if (FILENAME ~ /^src\//) {
    split(FILENAME, p, "/")
    me = target_of(FILENAME)
    if (!(me in deps) && !(("folder " p[2]) in told)) {
      bad(FILENAME ": folder src/" p[2] "/ has no line in tests/layers/layers.txt")
      told["folder " p[2]] = 1
    }
  } else if (FILENAME ~ /^tools\//) {
    me = ""  # the programs may use every layer
  } else {
    h = FILENAME; sub(/^include\/t2sql\//, "", h)
    me = (h in header) ? header[h] : ""
    if (me == "") bad(FILENAME ": public header has no line in tests/layers/layers.txt")
  }
}
/^[ \t]*#[ \t]*include[ \t]*[<"](llama|gguf|ggml)[^\/]*\.h[>"]/ && me != "" && !(me in llama_ok) {
  bad(FILENAME ":" FNR ": " me " includes a llama.cpp header; only the targets on the `llama:` line of tests/layers/layers.txt may")
}
/^[ \t]*#[ \t]*include[ \t]*"/ {
  inc = $0
  sub(/^[^"]*"/, "", inc); sub(/".*$/, "", inc)
  if (inc !~ /\//) next
  split(inc, q, "/")
  if (q[1] == "t2sql") {
    if (!(q[2] in header)) { bad(FILENAME ":" FNR ": includes " inc ", which has no line in tests/layers/layers.txt"); next }
    them = header[q[2]]
  } else if (system("test -d src/" q[1]) == 0) {
    them = target_of("src/" inc)
  } else next
  if (me == "" || them == me || ((me, them) in allowed)) next
  bad(FILENAME ":" FNR ": " me " includes " inc " (" them "), not below it in tests/layers/layers.txt")
}
match($0, /T2SQL_(SOURCE|LLAMA|BINARY)_DIR/) && FILENAME ~ /^(src|tools)\// && me != "testing" {
  bad(FILENAME ":" FNR ": the program reads " substr($0, RSTART, RLENGTH) " (a path into the source or build tree; only tests may)")
}
END {
  if (!tables_done) for (i = 1; i <= ntargets; i++) closure(order[i])
  if (cmake_file != "") {
    while ((getline line < cmake_file) > 0) {
      n = split(line, f, " ")
      t = f[1]; sub(/:$/, "", t); sub(/^t2sql_/, "", t)
      if (!(t in deps)) { bad(cmake_file ": CMake target t2sql_" t " has no line in tests/layers/layers.txt"); continue }
      seen[t] = 1
      if (f[2] == "(header-only)") continue
      delete linked
      for (i = 2; i <= n; i++) {
        d = f[i]
        if (d !~ /^t2sql_/) continue
        sub(/^t2sql_/, "", d)
        linked[d] = 1
        if (index(" " deps[t] " ", " " d " ") == 0)
          bad("CMake: t2sql_" t " links t2sql_" d ", which tests/layers/layers.txt does not give it")
      }
      m = split(deps[t], want, " ")
      for (i = 1; i <= m; i++) if (!(want[i] in linked))
        bad("CMake: t2sql_" t " does not link t2sql_" want[i] " as tests/layers/layers.txt says")
    }
    for (i = 1; i <= ntargets; i++) if (!(order[i] in seen))
      bad("CMake: no target t2sql_" order[i] " for the line of tests/layers/layers.txt")
  }
  if (failures) { print failures " layering violation(s); see tests/layers/layers.txt and src/README.md"; exit 1 }
  print "layers: " ntargets " targets, no include against the arrows"
}
' "$table" "${files[@]}"
