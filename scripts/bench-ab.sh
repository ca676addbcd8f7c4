#!/usr/bin/env bash
# Compares two builds of Arca side by side on the same data path: for each configuration,
# ROUNDS rounds that alternate A then B, each run against a fresh server and data directory,
# so that load from elsewhere on the machine falls on both alike. Prints the median of each
# and the ratio B/A. The client is always this tree's `arca bench`.
#
#   scripts/bench-ab.sh REV_A REV_B [rounds] [duration] [concurrency] [configs...]
#   REV = a git revision, or "." for the working tree
#   config = op:size        e.g. put:4KiB get:64MiB
#   e.g. scripts/bench-ab.sh d29ae4f . 3 8s 8 put:4KiB get:4KiB put:64MiB get:64MiB
set -euo pipefail
cd "$(dirname "$0")/.."
rev_a=$1; rev_b=$2; shift 2
rounds=${1:-3}; dur=${2:-8s}; conc=${3:-8}; shift 3 || true
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(put:4KiB get:4KiB put:64MiB get:64MiB)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/arca" ./cmd/arca
build() { # REV OUT
  if [ "$1" = . ]; then cp "$work/arca" "$2"; return; fi
  git worktree add -q --detach "$work/src" "$1"
  (cd "$work/src" && go build -o "$2" ./cmd/arca)
  git worktree remove --force "$work/src"
}
build "$rev_a" "$work/arca-A"
build "$rev_b" "$work/arca-B"

export ARCA_ROOT_ACCESS_KEY=AKIABENCHROOT0000001 ARCA_ROOT_SECRET_KEY=bench-secret-key-0123456789
ep=http://127.0.0.1:9730
run() { # WHICH OP SIZE N
  local data; data=$(mktemp -d)
  "$work/arca-$1" server --data "$data" --listen 127.0.0.1:9730 --log-level warn >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "$ep" && break; sleep 0.1; done
  "$work/arca" bench --endpoint $ep --access-key "$ARCA_ROOT_ACCESS_KEY" --secret-key "$ARCA_ROOT_SECRET_KEY" \
    --op "$2" --size "$3" --concurrency "$conc" --duration "$dur" --bucket "ab-bench" --json \
    >"$work/$1-$2-$3-$4.json" 2>/dev/null || true
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$data"
}
for cfg in "${configs[@]}"; do
  IFS=: read -r op size <<<"$cfg"
  for n in $(seq "$rounds"); do
    run A "$op" "$size" "$n"
    run B "$op" "$size" "$n"
  done
  python3 - "$cfg" "$work" "$op" "$size" <<'PY'
import glob, json, sys
cfg, work, op, size = sys.argv[1:]
def med(which):
    rs = []
    for f in glob.glob("%s/%s-%s-%s-*.json" % (work, which, op, size)):
        try:
            rs.append(json.load(open(f)))
        except ValueError:
            pass
    rs.sort(key=lambda r: r["ops_per_sec"])
    return rs[len(rs) // 2], len(rs)
(a, na), (b, nb) = med("A"), med("B")
print("%-14s A: %9.1f ops/s %8.1f MiB/s p99 %6.2f ms | B: %9.1f ops/s %8.1f MiB/s p99 %6.2f ms | B/A %.3f (medians of %d, %d; errors %d, %d)" %
      (cfg, a["ops_per_sec"], a["mib_per_sec"], a["latency_p99_ms"], b["ops_per_sec"], b["mib_per_sec"], b["latency_p99_ms"],
       b["ops_per_sec"] / a["ops_per_sec"], na, nb, a["errors"], b["errors"]))
PY
done
