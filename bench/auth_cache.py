#!/usr/bin/env python3
"""Cache-hit auth commands against AWS CLI v2 (issue 5, acceptance 7), run by scripts/bench.

Starts a lab (tests/lab), signs in once as plat-dev/terraform through the SSO device flow (a BROWSER script
approves the code), then runs auth_cache_bench: `atmos auth env`, `atmos auth exec -- /bin/true` and
`aws configure export-credentials` (AWS CLI v2, /usr/bin/aws) on the credentials file atmos wrote. Afterwards
it checks that the lab saw no call during the benchmark and prints each median and the ratios.

Usage: bench/auth_cache.py BENCH_BINARY [Google Benchmark flags…]
ATMOS_BENCH_ATMOS overrides the atmos binary the benchmark was built against."""

import json
import os
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
LABCTL = os.path.join(HERE, "..", "tests", "lab", "labctl.py")
IDENTITY = "plat-dev/terraform"
CONFIG = """auth:
  providers:
    acme-sso:
      kind: aws/iam-identity-center
      region: us-east-1
      start_url: https://acme.awsapps.com/start
  identities:
    plat-dev/terraform:
      kind: aws/permission-set
      default: true
      via: {provider: acme-sso}
      principal: {name: TerraformApplyAccess, account: {name: plat-dev}}
"""


def lab(endpoint: str, method: str, path: str) -> dict:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(urllib.request.Request(endpoint + path, method=method), timeout=30) as response:
        return json.loads(response.read())


def atmos_binary(bench: str) -> str:
    if os.environ.get("ATMOS_BENCH_ATMOS"):
        return os.environ["ATMOS_BENCH_ATMOS"]
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(bench))), "atmos")


def main() -> int:
    bench, flags = sys.argv[1], sys.argv[2:]
    atmos = atmos_binary(bench)
    with tempfile.TemporaryDirectory(prefix="atmos-auth-bench-") as work:
        state = os.path.join(work, "lab")
        started = subprocess.run([sys.executable, LABCTL, "start", "--state-dir", state], capture_output=True, text=True, check=True)
        endpoint = next(line.split("=", 1)[1] for line in started.stdout.splitlines() if line.startswith("ATMOS_LAB_ENDPOINT="))
        try:
            return run(bench, flags, atmos, work, endpoint)
        finally:
            subprocess.run([sys.executable, LABCTL, "stop", "--state-dir", state], check=False)


def run(bench: str, flags: list[str], atmos: str, work: str, endpoint: str) -> int:
    home, repo = os.path.join(work, "home"), os.path.join(work, "repo")
    os.makedirs(home)
    os.makedirs(repo)
    with open(os.path.join(repo, "atmos.yaml"), "w", encoding="utf-8") as handle:
        handle.write(CONFIG)
    browser = os.path.join(work, "browser.sh")
    with open(browser, "w", encoding="utf-8") as handle:
        handle.write('#!/bin/sh\ncurl -s -o /dev/null --noproxy "*" "$1"\n')
    os.chmod(browser, 0o755)
    env = {"PATH": os.environ["PATH"], "HOME": home, "AWS_ENDPOINT_URL": endpoint, "BROWSER": browser,
           "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost", "AWS_EC2_METADATA_DISABLED": "true"}
    subprocess.run([atmos, "auth", "login", "--identity", IDENTITY], cwd=repo, env=env, check=True, capture_output=True,
                   stdin=subprocess.DEVNULL)
    files = json.loads(subprocess.run([atmos, "auth", "env", "-f", "json", "--identity", IDENTITY], cwd=repo, env=env,
                                      check=True, capture_output=True, text=True).stdout)
    env.update({"AWS_SHARED_CREDENTIALS_FILE": files["AWS_SHARED_CREDENTIALS_FILE"], "AWS_CONFIG_FILE": files["AWS_CONFIG_FILE"],
                "ATMOS_BENCH_AUTH_REPO": repo, "ATMOS_BENCH_AUTH_IDENTITY": IDENTITY})
    if os.environ.get("ATMOS_BENCH_ATMOS"):
        env["ATMOS_BENCH_ATMOS"] = os.environ["ATMOS_BENCH_ATMOS"]
    lab(endpoint, "POST", "/_lab/counters/reset")
    out = os.path.join(work, "result.json")
    status = subprocess.run([bench, "--benchmark_out=" + out, "--benchmark_out_format=json", *flags], env=env).returncode
    if status != 0:
        return status
    calls = lab(endpoint, "GET", "/_lab/counters")["counts"]
    print(f"lab calls during the benchmark: {calls or 'none'}")
    with open(out, encoding="utf-8") as handle:
        results = json.load(handle)["benchmarks"]
    median = {r["run_name"].split("/")[1]: r["real_time"] for r in results if r.get("aggregate_name") == "median"}
    aws = median.get("aws_cli_v2_export_credentials")
    for name in ("atmos_version", "atmos_auth_env", "atmos_auth_exec_true"):
        if name in median and aws:
            print(f"{name}: median {median[name]:.2f} ms, {aws / median[name]:.0f}x faster than AWS CLI v2 ({aws:.0f} ms)")
    return 1 if calls else 0


if __name__ == "__main__":
    sys.exit(main())
