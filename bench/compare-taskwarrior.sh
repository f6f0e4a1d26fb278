#!/usr/bin/env bash
# zhuqi side by side with taskwarrior (the tool people would pick instead), on the same records.
#   bench/compare-taskwarrior.sh [N ...]     (default 10000 100000) → bench/results/taskwarrior-N.md
#   MIX=realistic bench/compare-taskwarrior.sh 100000  → bench/results/taskwarrior-realistic-N.md
# Installs Debian's taskwarrior if missing. For each size: the appeals of
# `zhuqi demo --appeals N --mix $MIX` (default backlog)
# become taskwarrior tasks (description, project = category, +status tag, entry and due dates,
# pending or completed), then the equivalent operations are timed in one run, alternating between
# the two tools, five times each; medians, and the ratio zhuqi ÷ taskwarrior.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
BENCH_DIR=${BENCH_DIR:-/tmp/zhuqi-bench}
RUNS=${RUNS:-5}
NOW=${NOW:-2026-11-27T10:00}
MIX=${MIX:-backlog}
case "$MIX" in backlog) tag="" ;; realistic) tag="realistic-" ;; *) echo "MIX is backlog or realistic" >&2; exit 2 ;; esac
command -v task >/dev/null || { apt-get update -qq && apt-get install -y -qq taskwarrior >/dev/null; }
cargo build --release -q
Z="$PWD/target/release/zhuqi"
export ZHUQI_CONFIG="$BENCH_DIR/config.toml" ZHUQI_LOG_FILE="$BENCH_DIR/zhuqi.log" ZHUQI_NOW="$NOW" LANG=C.UTF-8
mkdir -p "$BENCH_DIR" bench/results

# Seconds (float) that a command takes, its output discarded. Each starts after a sync, so that
# no earlier command's writes still in the kernel's cache are written back while it runs.
timed() { local s e; sync; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); python3 -c "print($e - $s)"; }
med() { python3 -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }

for n in "${sizes[@]}"; do
  src="$BENCH_DIR/desk-$tag$n"
  [ -d "$src" ] || "$Z" --data-dir "$src" demo --appeals "$n" --seed 1 --mix "$MIX" >/dev/null 2>&1
  csv="$BENCH_DIR/ledger-$tag$n.csv"
  [ -f "$csv" ] || "$Z" --data-dir "$src" --lang zh export --format csv -o "$csv" >/dev/null
  jsonl="$BENCH_DIR/appeals-$tag$n.jsonl"
  "$Z" --data-dir "$src" export --format jsonl -o "$jsonl" >/dev/null
  tasks="$BENCH_DIR/tasks-$tag$n.json"
  python3 - "$jsonl" "$tasks" <<'PY'
import json, sys
out = []
for line in open(sys.argv[1], encoding="utf-8"):
    a = json.loads(line)
    t = {
        "description": a["text"].split("\n")[0][:80] or "诉求",
        "project": a["category"],
        "tags": [a["status"]],
        "entry": a["captured_at"][:19].replace("-", "").replace(":", "") + "Z",
        "status": "pending" if a["status"] not in ("closed", "withdrawn") else "completed",
    }
    if a["due"]:
        t["due"] = a["due"].replace("-", "") + "T000000Z"
    if t["status"] == "completed":
        t["end"] = t["entry"]
    out.append(t)
json.dump(out, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
  declare -A z t
  ops=(import list count modify export)
  for op in "${ops[@]}"; do z[$op]=""; t[$op]=""; done
  for run in $(seq "$RUNS"); do
    zd="$BENCH_DIR/cmp-z-$n"; td="$BENCH_DIR/cmp-t-$n"
    rm -rf "$zd" "$td"; mkdir -p "$td"
    export TASKDATA="$td" TASKRC="$td/taskrc"
    printf 'data.location=%s\nconfirmation=off\nverbose=nothing\nrecurrence=off\n' "$td" > "$TASKRC"
    z[import]+=" $(timed "$Z" --data-dir "$zd" import "$csv" --map bench/export-mapping.toml --on-error skip)"
    t[import]+=" $(timed task import "$tasks")"
    z[list]+=" $(timed "$Z" --data-dir "$zd" list --status in_progress --category 消防 --format csv)"
    t[list]+=" $(timed task project:消防 +in_progress export)"
    z[count]+=" $(timed sh -c "$Z --data-dir $zd list --status open --format csv | wc -l")"
    t[count]+=" $(timed task status:pending count)"
    z[modify]+=" $(timed "$Z" --data-dir "$zd" note "$("$Z" --data-dir "$zd" list --status in_progress --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["number"])')" 测量)"
    t[modify]+=" $(timed task 1 annotate 测量)"
    z[export]+=" $(timed "$Z" --data-dir "$zd" export --format jsonl -o "$BENCH_DIR/z-export.jsonl")"
    t[export]+=" $(timed sh -c "task export > $BENCH_DIR/t-export.json")"
  done
  {
    echo "## zhuqi and taskwarrior, $n records, $MIX mix (median of $RUNS alternating runs)"
    echo
    echo "| operation | zhuqi | taskwarrior | zhuqi ÷ taskwarrior |"
    echo "|---|---|---|---|"
    for op in "${ops[@]}"; do
      zm=$(med ${z[$op]}); tm=$(med ${t[$op]})
      python3 -c "print('| %s | %.3f s | %.3f s | %.2f |' % ('$op', $zm, $tm, $zm / $tm if $tm > 0 else float('nan')))"
    done
    echo
    echo "import: \`zhuqi import ledger.csv\` (every row checked, one appeal with its history each) vs \`task import tasks.json\`;"
    echo "list: in-progress 消防 appeals vs \`task project:消防 +in_progress export\`; count: open appeals vs \`task status:pending count\`;"
    echo "modify: one durable progress note vs \`task 1 annotate\`; export: every appeal as JSON Lines vs \`task export\`."
    echo
    # On disk after the last run, against each tool's own export of the same records.
    zb=$(du -sbc "$zd/store" "$zd/journal.jsonl" $(ls -d "$zd/journal.sealed" 2>/dev/null) | tail -1 | cut -f1)
    ze=$(stat -c %s "$BENCH_DIR/z-export.jsonl")
    tb=$(du -sb "$td" | cut -f1); te=$(stat -c %s "$BENCH_DIR/t-export.json")
    python3 -c "print('On disk: zhuqi %.0f MB (store and journal, its sealed parts included), %.2f times its JSON Lines export (%.0f MB); taskwarrior %.0f MB, %.2f times its own export (%.0f MB).' % ($zb/1e6, $zb/$ze, $ze/1e6, $tb/1e6, $tb/$te, $te/1e6))"
    echo
  } | tee "bench/results/taskwarrior-$tag$n.md"
  unset z t
done
