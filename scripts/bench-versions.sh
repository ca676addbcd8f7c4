#!/usr/bin/env bash
# Versioning's figures (issue 14): PUT and GET 4 KiB ops/s on a versioned bucket against an
# unversioned one (each round a fresh server; the two buckets alternate within a round;
# medians of ROUNDS), then the time and the server's peak RSS to list VERSIONS versions
# with ListObjectVersions (pages of 1,000, through the aws CLI).
#
#   scripts/bench-versions.sh [rounds] [duration] [versions]   e.g. scripts/bench-versions.sh 3 8s 100000
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; dur=${2:-8s}; nver=${3:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/arca" ./cmd/arca
export ARCA_ROOT_ACCESS_KEY=AKIABENCHROOT0000001 ARCA_ROOT_SECRET_KEY=bench-secret-key-0123456789
export AWS_ACCESS_KEY_ID=$ARCA_ROOT_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$ARCA_ROOT_SECRET_KEY AWS_DEFAULT_REGION=us-east-1
ep=http://127.0.0.1:9750
start() {
  data=$(mktemp -d)
  "$work/arca" server --data "$data" --listen 127.0.0.1:9750 --log-level warn >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null $ep && break; sleep 0.1; done
  aws --endpoint-url $ep s3api create-bucket --bucket plain >/dev/null
  aws --endpoint-url $ep s3api create-bucket --bucket versioned >/dev/null
  aws --endpoint-url $ep s3api put-bucket-versioning --bucket versioned --versioning-configuration Status=Enabled
}
stop() { kill $pid; wait $pid 2>/dev/null || true; rm -rf "$data"; }
for n in $(seq "$rounds"); do
  start
  for b in plain versioned; do
    for op in put get; do
      "$work/arca" bench --endpoint $ep --access-key "$ARCA_ROOT_ACCESS_KEY" --secret-key "$ARCA_ROOT_SECRET_KEY" \
        --op $op --size 4KiB --concurrency 8 --duration "$dur" --bucket $b --json >"$work/$b-$op-$n.json" 2>/dev/null || true
    done
  done
  stop
done
python3 - "$work" <<'PY'
import glob, json, sys
for b in ("plain", "versioned"):
    for op in ("put", "get"):
        rs = sorted(json.load(open(f))["ops_per_sec"] for f in glob.glob("%s/%s-%s-*.json" % (sys.argv[1], b, op)))
        print("%-9s %s 4KiB: median %.0f ops/s of %s" % (b, op, rs[len(rs)//2], ["%.0f" % r for r in rs]))
PY
# Listing: about VERSIONS versions (new 1 KiB objects written for as long as it takes at the
# first round's PUT rate, left in place), then ListObjectVersions page by page.
start
rate=$(python3 -c "import json; print(json.load(open('$work/versioned-put-1.json'))['ops_per_sec'])")
secs=$(python3 -c "print(max(5, int($nver / max($rate, 1)) + 1))")
"$work/arca" bench --endpoint $ep --access-key "$ARCA_ROOT_ACCESS_KEY" --secret-key "$ARCA_ROOT_SECRET_KEY" \
  --op put --size 1KiB --concurrency 8 --duration "${secs}s" --bucket versioned --no-cleanup --json >/dev/null 2>&1 || true
before=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status)
t0=$(date +%s.%N)
count=$(aws --endpoint-url $ep s3api list-object-versions --bucket versioned --page-size 1000 --query 'length(Versions)' --output text | awk '{s += $1} END {print s}')
t1=$(date +%s.%N)
peak=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$pid/status)
echo "ListObjectVersions: $count versions in $(python3 -c "print(round($t1-$t0,2))") s (aws CLI, pages of 1,000); server RSS before $before MiB, peak $peak MiB"
stop
