#!/usr/bin/env bash
# Installs what Arca's tests need on a fresh machine of the project's kind (Debian with Go):
# the aws CLI, which the end-to-end tests drive, and Debian's chromium, which the browser test
# (e2e/browser_test.go) runs headless, and s3cmd (e2e/sigv2_test.go). Idempotent: does nothing
# when present.
set -euo pipefail

if ! command -v go >/dev/null 2>&1; then
  echo "install-test-deps: Go is required (https://go.dev/dl); this machine kind ships it at /usr/local/go" >&2
  exit 1
fi

# The trail-validation test runs `aws cloudtrail validate-logs`, whose S3 clients honour only
# AWS_ENDPOINT_URL_S3 (aws-cli >= 1.29 / 2.13). PyPI's awscli is current; Debian's may be older,
# so it is the fallback when PyPI is out of reach.
if ! command -v aws >/dev/null 2>&1; then
  if command -v pip3 >/dev/null 2>&1 && pip3 install --quiet awscli >/dev/null 2>&1 && command -v aws >/dev/null 2>&1; then
    echo "install-test-deps: installed the aws CLI from PyPI"
  else
    echo "install-test-deps: installing the aws CLI from Debian's packages"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq awscli >/dev/null
  fi
fi
aws --version

# The browser test loads a page from a second loopback origin in headless Chromium
# (e2e/browser_test.go); it fails without /usr/bin/chromium unless ARCA_SKIP_BROWSER=1.
if [ ! -x /usr/bin/chromium ]; then
  echo "install-test-deps: installing chromium from Debian's packages"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version

# The SigV2 test drives s3cmd (e2e/sigv2_test.go): its signurl makes SigV2 URLs.
if ! command -v s3cmd >/dev/null 2>&1; then
  echo "install-test-deps: installing s3cmd from Debian's packages"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq s3cmd >/dev/null
fi
s3cmd --version

# S3 Control clients put the account id in front of the endpoint's host name; with an
# endpoint of http://localhost:PORT they call <account>.localhost, which RFC 6761 says
# resolves to loopback. Debian resolves it with libnss-myhostname (its postinst adds
# "myhostname" to /etc/nsswitch.conf); e2e/batch_test.go's boto3 client relies on it.
if ! getent hosts 123456789012.localhost >/dev/null 2>&1; then
  echo "install-test-deps: installing libnss-myhostname from Debian's packages (*.localhost → loopback)"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libnss-myhostname >/dev/null
fi
getent hosts 123456789012.localhost
