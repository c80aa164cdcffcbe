#!/usr/bin/env bash
# Prepares the warm-cache Terraform benchmark: starts the lab in $1/lab, copies examples/acme to $1/acme, signs in
# (developers profile; the lab's browser approves as bob), runs one plan so the identity's credentials file is
# warm, and writes the benchmark's environment to $1/env. Stop the lab with tests/lab/labctl.py stop.
set -euo pipefail
work=$1
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
eval "$(python3 "$root/tests/lab/labctl.py" start --state-dir "$work/lab" | sed 's/^/export /')"
for service in STS SSO SSO_OIDC SIGNIN S3 IAM; do export "AWS_ENDPOINT_URL_$service=$ATMOS_LAB_ENDPOINT"; done
export HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost CHECKPOINT_DISABLE=1 ATMOS_GIT_ROOT_BASEPATH=false
export HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" XDG_DATA_HOME="$work/data"
export TF_CLI_CONFIG_FILE="$work/terraformrc" ATMOS_KEYRING_TYPE=memory ATMOS_PROFILE=developers
export PATH="$root/build:/usr/local/bin:/usr/bin:/bin" ATMOS_BENCH_TF_DIR="$work/acme"
mkdir -p "$HOME" && : >"$TF_CLI_CONFIG_FILE"
unset CI
printf '#!/bin/sh\nexec python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + \\"&user=bob\\").read()" "$1"\n' >"$work/browser"
chmod +x "$work/browser"
export BROWSER="$work/browser"
rm -rf "$work/acme" && cp -r "$root/examples/acme" "$work/acme"
cd "$work/acme"
atmos auth login --provider acme-sso >/dev/null 2>&1
atmos terraform plan vpc -s plat-use2-dev --terraform-command true >/dev/null 2>&1
env | grep -E '^(PATH|HOME|XDG_|AWS_ENDPOINT_URL_|HTTPS_PROXY|NO_PROXY|CHECKPOINT_DISABLE|TF_CLI_CONFIG_FILE|ATMOS_)' >"$work/env"
