#!/usr/bin/env bash
# Installs what Arca's tests need on a fresh machine of the project's kind (Debian with Go):
# the aws CLI, which the end-to-end tests drive. Idempotent: does nothing when present.
set -euo pipefail

if ! command -v go >/dev/null 2>&1; then
  echo "install-test-deps: Go is required (https://go.dev/dl); this machine kind ships it at /usr/local/go" >&2
  exit 1
fi

if ! command -v aws >/dev/null 2>&1; then
  echo "install-test-deps: installing the aws CLI from Debian's packages"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq awscli >/dev/null
fi
aws --version
