#!/usr/bin/env bash
# Runs every Arca test: unit tests, fuzz seed corpora, end-to-end tests against a real server
# process with aws-sdk-go-v2 and the aws CLI, and the crash test. This is the README's second
# command and exactly what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh
go vet ./...
go test -count=1 -timeout 15m ./...
