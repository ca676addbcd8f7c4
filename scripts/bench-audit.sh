#!/usr/bin/env bash
# Measures what auditing costs (issue 6's figures): small-object PUT ops/s and KMS Decrypt
# ops/s for three servers, each run against a fresh server and data directory:
#   base  — the build before auditing landed (BASE_REF, default cc1e4da),
#   on    — this tree, auditing on (the default),
#   off   — this tree with --no-audit.
# Runs alternate base/on/off within each round so that load from elsewhere spreads evenly;
# the median of ROUNDS runs is printed. The client is always this tree's `arca bench`.
#
#   scripts/bench-audit.sh [rounds] [duration]      e.g. scripts/bench-audit.sh 3 8s
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; dur=${2:-8s}
base_ref=${BASE_REF:-cc1e4da}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/arca" ./cmd/arca
git worktree add -q --detach "$work/base-src" "$base_ref"
(cd "$work/base-src" && go build -o "$work/arca-base" ./cmd/arca)
git worktree remove --force "$work/base-src"

export ARCA_ROOT_ACCESS_KEY=AKIABENCHROOT0000001 ARCA_ROOT_SECRET_KEY=bench-secret-key-0123456789
export AWS_ACCESS_KEY_ID=$ARCA_ROOT_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$ARCA_ROOT_SECRET_KEY AWS_DEFAULT_REGION=us-east-1
ep=http://127.0.0.1:9720

# run MODE WORKLOAD → one JSON result in $work/MODE-WORKLOAD-N.json
run() {
  local mode=$1 wl=$2 n=$3 bin=$work/arca flags=()
  [ "$mode" = base ] && bin=$work/arca-base
  [ "$mode" = off ] && flags=(--no-audit)
  local data; data=$(mktemp -d)
  "$bin" server --data "$data" --listen 127.0.0.1:9720 --log-level warn "${flags[@]}" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 50); do curl -s -o /dev/null "$ep" && break; sleep 0.1; done
  case $wl in
    put4k)
      "$work/arca" bench --endpoint $ep --access-key "$ARCA_ROOT_ACCESS_KEY" --secret-key "$ARCA_ROOT_SECRET_KEY" \
        --op put --size 4KiB --concurrency 8 --duration "$dur" --bucket "audit-bench" --json >"$work/$mode-$wl-$n.json" 2>/dev/null || true ;;
    decrypt)
      local key; key=$(aws --endpoint-url $ep kms create-key --query KeyMetadata.KeyId --output text)
      "$work/arca" bench kms --endpoint $ep --key-id "$key" --op decrypt --concurrency 16 --duration "$dur" \
        --json >"$work/$mode-$wl-$n.json" 2>/dev/null || true ;;
  esac
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}

for wl in put4k decrypt; do
  for n in $(seq "$rounds"); do
    for mode in base on off; do run "$mode" "$wl" "$n"; done
  done
done

python3 - "$work" <<'PY'
import glob, json, os, statistics, sys
work = sys.argv[1]
for wl in ("put4k", "decrypt"):
    med = {}
    for mode in ("base", "on", "off"):
        rs = []
        for f in sorted(glob.glob(os.path.join(work, f"{mode}-{wl}-*.json"))):
            try:
                rs.append(json.load(open(f))["ops_per_sec"])
            except (ValueError, KeyError):
                pass
        med[mode] = statistics.median(rs) if rs else float("nan")
        print(f"{wl:8s} {mode:5s} median {med[mode]:9.1f} ops/s  runs {' '.join(f'{r:.0f}' for r in rs)}")
    print(f"{wl:8s} cost of auditing: {100 * (1 - med['on'] / med['base']):+.1f}% vs the build before it, "
          f"{100 * (1 - med['on'] / med['off']):+.1f}% vs --no-audit")
PY
