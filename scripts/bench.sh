#!/usr/bin/env bash
# Reproduces the figures in the closing notes: starts a fresh arca server on loopback and
# runs `arca bench` against it, three times per configuration, printing the median and the
# server's peak RSS. Client and server share the machine.
#
#   scripts/bench.sh [duration] [concurrency] [configs...]
#   config = op:size[:sse]   e.g. put:4KiB  get:64MiB:AES256  put:1MiB:aws:kms  get:4KiB:sse-c
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-20s}; conc=${2:-8}; shift 2 || true
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(put:4KiB get:4KiB put:1MiB get:1MiB put:64MiB get:64MiB)

bin=$(mktemp -d)/arca
go build -o "$bin" ./cmd/arca
data=$(mktemp -d)
export ARCA_ROOT_ACCESS_KEY=AKIABENCHROOT0000001 ARCA_ROOT_SECRET_KEY=bench-secret-key-0123456789
"$bin" server --data "$data" --listen 127.0.0.1:9710 --tls-listen 127.0.0.1:9711 --log-level warn >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
sleep 1
key=$(AWS_ACCESS_KEY_ID=$ARCA_ROOT_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$ARCA_ROOT_SECRET_KEY AWS_DEFAULT_REGION=us-east-1 \
  aws --endpoint-url http://127.0.0.1:9710 kms create-key --query KeyMetadata.KeyId --output text 2>/dev/null)

peak() { awk '/VmHWM/ {print int($2/1024)}' /proc/$pid/status; }
for cfg in "${configs[@]}"; do
  IFS=: read -r op size sse rest <<<"$cfg"
  args=(--access-key "$ARCA_ROOT_ACCESS_KEY" --secret-key "$ARCA_ROOT_SECRET_KEY" --op "$op" --size "$size"
        --concurrency "$conc" --duration "$dur" --json)
  ep=http://127.0.0.1:9710
  case "$sse" in
    "") ;;
    AES256) args+=(--sse AES256) ;;
    aws) args+=(--sse aws:kms --sse-kms-key-id "$key"); [ "$rest" = "kms:bk" ] && args+=(--bucket-key) ;;
    sse-c) args+=(--sse-c-key "$(head -c 32 /dev/zero | tr '\0' 'k' | base64)" --insecure); ep=https://127.0.0.1:9711 ;;
  esac
  out=$(mktemp -d)
  for i in 1 2 3; do
    "$bin" bench --endpoint "$ep" "${args[@]}" --bucket "bench-$op-$i-$RANDOM" >"$out/$i.json" 2>/dev/null || true
  done
  python3 - "$cfg" "$out"/*.json <<'PY'
import json, sys
rs = []
for f in sys.argv[2:]:
    try:
        rs.append(json.load(open(f)))
    except ValueError:
        pass
rs.sort(key=lambda r: r["ops_per_sec"])
m = rs[len(rs) // 2]
print("%-24s median of %d: %9.1f ops/s %9.1f MiB/s  p50 %.2f ms  p99 %.2f ms  errors %d" %
      (sys.argv[1], len(rs), m["ops_per_sec"], m["mib_per_sec"], m["latency_p50_ms"], m["latency_p99_ms"], m["errors"]))
PY
  rm -rf "$out"
done
echo "server peak RSS: $(peak) MiB"
