#!/usr/bin/env bash
# Runs every Arca test: unit tests, fuzz seed corpora, end-to-end tests against a real server
# process with aws-sdk-go-v2, the aws CLI and boto3, and the crash tests. This is the README's
# second command and exactly what .ci/run calls.
#
# It says which suite is running. The end-to-end suite (the long one: about 12 minutes on a
# loaded 2-core machine) starts first, in the background, and the unit tests run beside it,
# as `go test ./...` ran them side by side; its output is printed when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

start=$SECONDS
step() { printf '\n== %s\n' "$*"; }
took() { printf '== %s: %s (%ds)\n' "$1" "$2" "$((SECONDS - $3))"; }

step "test dependencies (scripts/install-test-deps.sh: the aws CLI, headless Chromium)"
scripts/install-test-deps.sh

command -v moto_server >/dev/null ||
  printf '== warning: moto_server is not on PATH: the migration tests from moto (e2e TestMigrateFromMoto) will be skipped\n'

step "go vet ./..."
go vet ./...

e2elog=$(mktemp /tmp/arca-e2e.XXXXXX)
e2e_pid=
trap 'rm -f "$e2elog"; [ -z "$e2e_pid" ] || kill "$e2e_pid" 2>/dev/null || true' EXIT
step "end-to-end tests (e2e/: a real arca server driven by aws-sdk-go-v2, minio-go, the aws CLI and boto3; crash tests) started in the background; output when they end"
e2e_start=$SECONDS
go test -count=1 -timeout 28m ./e2e/ >"$e2elog" 2>&1 &
e2e_pid=$!

step "unit and fuzz-seed tests (every package but e2e: internal/..., cmd/..., pkg/...)"
unit_start=$SECONDS
unit=0
go test -count=1 -timeout 15m $(go list ./... | grep -v '/e2e$') || unit=$?
took "unit tests" "$([ $unit = 0 ] && echo passed || echo FAILED)" $unit_start

step "end-to-end tests (waiting for them to end)"
e2e=0
wait $e2e_pid || e2e=$?
took "end-to-end tests" "$([ $e2e = 0 ] && echo passed || echo FAILED)" $e2e_start
printf '== all tests: %s (%ds); the end-to-end output follows\n\n' \
  "$([ $unit = 0 ] && [ $e2e = 0 ] && echo passed || echo FAILED)" "$((SECONDS - start))"
cat "$e2elog"
[ $unit = 0 ] && [ $e2e = 0 ]
