#!/usr/bin/env python3
"""The `!terraform.state` benchmark: `atmos describe stacks` on a generated repository whose 1,000 component
instances reference 50 distinct states in the lab, against its twin with the referenced values written as
literals. Checks that the run makes exactly 50 S3 GETs (the lab's counters) and reports
refs / (literal + the lab's own time for the GETs), which must stay at most 1.5.

  bench/state_refs.py BINARY [--runs N] [--work DIR]

Runs alternate (literal, refs, literal, …) so machine load hits both alike; medians are compared."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def call(endpoint, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(endpoint + path, data=data, method="POST" if data is not None else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", default="/tmp/atmos-bench-state-refs")
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    shutil.rmtree(a.work, True)
    os.makedirs(a.work)
    refs, literal, lab_dir = (os.path.join(a.work, n) for n in ("refs", "literal", "lab"))
    gen = os.path.join(HERE, "gen_atmos_repo.py")
    subprocess.run([sys.executable, gen, "--out", refs, "--state-refs", "1000"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, gen, "--out", literal, "--state-refs", "1000", "--literal"], check=True, stdout=subprocess.DEVNULL)
    labctl = os.path.join(ROOT, "tests", "lab", "labctl.py")
    subprocess.run([sys.executable, labctl, "start", "--state-dir", lab_dir, "--scenario", os.path.join(refs, "lab", "scenario.yaml")],
                   check=True, stdout=subprocess.DEVNULL)
    try:
        subprocess.run([sys.executable, labctl, "seed", "--state-dir", lab_dir, os.path.join(refs, "lab", "states.json")],
                       check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(lab_dir, "ready.json"), encoding="utf-8") as f:
            endpoint = json.load(f)["endpoint"]
        users = call(endpoint, "/_lab/state")["iam_users"]
        bench = next(u for u in (users if isinstance(users, list) else users.values()) if u["name"] == "bench")
        env = {"PATH": os.environ["PATH"], "HOME": os.path.join(a.work, "home"), "HTTPS_PROXY": "http://127.0.0.1:9",
               "NO_PROXY": "127.0.0.1,localhost", "AWS_ACCESS_KEY_ID": bench["access_key_id"],
               "AWS_SECRET_ACCESS_KEY": bench["secret_access_key"], "AWS_ENDPOINT_URL_STS": endpoint,
               "AWS_ENDPOINT_URL_S3": endpoint, "ATMOS_GIT_ROOT_BASEPATH": "false"}
        argv = [binary, "describe", "stacks", "--identity=false", "--format", "json"]

        def run(repo):
            started = time.perf_counter()
            p = subprocess.run(argv, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            elapsed = time.perf_counter() - started
            if p.returncode != 0:
                raise SystemExit(p.stderr.decode())
            return elapsed, p.stdout

        outputs = {}
        times = {"literal": [], "refs": []}
        gets, busy = [], []
        for _ in range(a.runs):
            t, outputs["literal"] = run(literal)
            times["literal"].append(t)
            call(endpoint, "/_lab/counters/reset", {})
            t, outputs["refs"] = run(refs)
            times["refs"].append(t)
            counters = call(endpoint, "/_lab/counters")
            gets.append(counters["counts"].get("s3:GetObject", 0))
            busy.append(counters["busy_seconds"].get("s3:GetObject", 0.0) + counters["busy_seconds"].get("sts:AssumeRole", 0.0))
        same = json.loads(outputs["refs"]) == json.loads(outputs["literal"])
        lit, ref, lab = statistics.median(times["literal"]), statistics.median(times["refs"]), statistics.median(busy)
        ratio = ref / (lit + lab)
        print(f"state_refs: runs={a.runs} s3_gets_per_run={gets} outputs_identical={same}")
        print(f"state_refs: literal median {lit:.3f}s (min {min(times['literal']):.3f}s), refs median {ref:.3f}s "
              f"(min {min(times['refs']):.3f}s), lab busy median {lab:.3f}s (GetObject + AssumeRole)")
        print(f"state_refs: refs / (literal + lab) = {ratio:.2f} (limit 1.5)")
        return 0 if same and all(g == 50 for g in gets) and ratio <= 1.5 else 1
    finally:
        subprocess.run([sys.executable, labctl, "stop", "--state-dir", lab_dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    sys.exit(main())
