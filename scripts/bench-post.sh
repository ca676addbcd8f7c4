#!/usr/bin/env bash
# POST Object's figure (issue 15, item 2): the throughput of one SIZE_MIB browser-form upload
# (a boto3 generate_presigned_post form sent by curl -F, over plain HTTP on loopback) and the
# server's peak RSS (VmHWM) during it. Each round starts a fresh server on a temp dir; the
# file is made once from /dev/urandom. Prints each round and the median.
#
#   scripts/bench-post.sh [rounds] [size_mib]   e.g. scripts/bench-post.sh 3 1024
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; mib=${2:-1024}
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/arca" ./cmd/arca
export ARCA_ROOT_ACCESS_KEY=AKIABENCHROOT0000001 ARCA_ROOT_SECRET_KEY=bench-secret-key-0123456789
ep=http://127.0.0.1:9751
head -c $((mib << 20)) /dev/urandom >"$work/file"
for n in $(seq "$rounds"); do
  data=$(mktemp -d -p "$work")
  "$work/arca" server --data "$data" --listen 127.0.0.1:9751 --log-level warn >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null $ep && break; sleep 0.1; done
  python3 - "$ep" "$work/file" "$work/round-$n" <<'PY'
import json, subprocess, sys, time, boto3
from botocore.config import Config
ep, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
c = boto3.client("s3", endpoint_url=ep, region_name="us-east-1",
    aws_access_key_id="AKIABENCHROOT0000001", aws_secret_access_key="bench-secret-key-0123456789",
    config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
c.create_bucket(Bucket="bench-post")
p = c.generate_presigned_post("bench-post", "big/${filename}", Conditions=[["content-length-range", 1, 5 << 30]])
args = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}"]
for k, v in p["fields"].items():
    args += ["-F", "%s=%s" % (k, v)]
args += ["-F", "file=@%s;filename=blob" % path, p["url"]]
t0 = time.monotonic()
code = subprocess.run(args, capture_output=True, text=True, check=True).stdout
secs = time.monotonic() - t0
size = c.head_object(Bucket="bench-post", Key="big/blob")["ContentLength"]
json.dump({"status": code, "seconds": secs, "bytes": size}, open(out, "w"))
PY
  peak=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$pid/status)
  kill $pid; wait $pid 2>/dev/null || true; pid=""
  rm -rf "$data"
  python3 - "$work/round-$n" "$peak" "$n" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); r["peak_mib"] = int(sys.argv[2])
json.dump(r, open(sys.argv[1], "w"))
print("round %s: HTTP %s, %d MiB in %.2f s = %.0f MiB/s, server peak RSS %d MiB"
      % (sys.argv[3], r["status"], r["bytes"] >> 20, r["seconds"], r["bytes"] / 1048576 / r["seconds"], r["peak_mib"]))
PY
done
python3 - "$work" <<'PY'
import glob, json, sys
rs = [json.load(open(f)) for f in glob.glob(sys.argv[1] + "/round-*")]
mibs = sorted(r["bytes"] / 1048576 / r["seconds"] for r in rs)
peaks = sorted(r["peak_mib"] for r in rs)
print("POST Object %d MiB: median %.0f MiB/s of %s; median peak RSS %d MiB of %s"
      % (rs[0]["bytes"] >> 20, mibs[len(mibs)//2], ["%.0f" % m for m in mibs], peaks[len(peaks)//2], peaks))
PY
