#!/usr/bin/env python3
"""Runs conformance cases (format atmos-conformance/v1) against an atmos binary, with the comparison modes the
manifest defines (see upstream/README.md). Suites: upstream/ (upstream's fixtures and goldens, the default) and
local/ (cases written here, expectations read from upstream's code; each case's note says where).

  run_conformance.py [--suite local] --list                 print the case ids
  run_conformance.py [--suite local] --binary B --case ID   run one case; exit 0 pass, 1 fail, 77 skipped

Besides the manifest's modes, stdout of the cases in STRICT_STDOUT is compared byte for byte (after the
repository placeholder) so key order and formatting are really tested.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SUITE = os.path.join(HERE, "upstream")  # the suite being run (--suite)
SKIP = 77

# Scenarios and commands that later issues make pass (see the issue notes).
SKIPPED_SCENARIOS = {
}
STRICT_STDOUT = {"s01-relative-paths-describe-stacks", "s02-provenance-describe-component-yaml"}
# Upstream's goldens come from a binary whose version is `test` (it shows in append_user_agent).
STRICT_SANITIZE = {r"Atmos/\S+ \(Cloud Posse": "Atmos/test (Cloud Posse"}
EXTRA_ENV = {"HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost", "CHECKPOINT_DISABLE": "1"}


def load_manifest():
    with open(os.path.join(SUITE, "cases.yaml")) as f:
        return yaml.safe_load(f)


def skip_reason(case):
    if case.get("scenario") in SKIPPED_SCENARIOS:
        return SKIPPED_SCENARIOS[case["scenario"]]
    if "terraform" in case.get("requires", []) and not (shutil.which("tofu") or shutil.which("terraform")):
        return "neither tofu nor terraform is on PATH"
    return None


def fill(value, ph):
    for k, v in ph.items():
        value = value.replace("{" + k + "}", v)
    return value


def sanitize(text, roots, placeholder):
    text = text.replace("\r\n", "\n")
    for root in sorted(set(roots), key=len, reverse=True):
        pattern = "/+".join(re.escape(p) for p in root.rstrip("/").split("/")) + "/*"
        text = re.sub(pattern, placeholder, text)
    return text


def drop(doc, path):
    parts = path.split(".")
    cur = doc
    for p in parts[:-1]:
        if not isinstance(cur, dict) or p not in cur:
            return
        cur = cur[p]
    if isinstance(cur, dict):
        cur.pop(parts[-1], None)


def select(doc, path):
    def walk(cur, parts):
        if not parts:
            return cur
        p = parts[0]
        if p.endswith("[*]"):
            key = p[:-3]
            if not isinstance(cur, dict) or key not in cur or not isinstance(cur[key], list):
                return "<missing>"
            return [walk(item, parts[1:]) for item in cur[key]]
        if not isinstance(cur, dict) or p not in cur:
            return "<missing>"
        return walk(cur[p], parts[1:])
    return walk(doc, path.split("."))


def normalise_numbers(v):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, list):
        return [normalise_numbers(x) for x in v]
    if isinstance(v, dict):
        return {k: normalise_numbers(x) for k, x in v.items()}
    return v


def text_lines(text, ignore):
    lines = [l.rstrip() for l in text.replace("\r\n", "\n").split("\n")]
    lines = [l for l in lines if not any(re.search(p, l) for p in ignore)]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def check_stream(name, spec, actual, manifest, ignore_lines):
    errors = []
    if not spec:
        return errors
    mode = spec.get("mode", "ignore")
    if mode == "ignore":
        return errors
    for p in spec.get("patterns", []):
        if not re.search(p, actual):
            errors.append(f"{name}: pattern {p!r} not found")
    for p in spec.get("not_patterns", []):
        if re.search(p, actual):
            errors.append(f"{name}: forbidden pattern {p!r} found")
    golden_text = None
    if spec.get("golden"):
        with open(os.path.join(SUITE, spec["golden"]), encoding="utf-8") as f:
            golden_text = f.read()
    if mode in ("json", "yaml"):
        parse = json.loads if mode == "json" else yaml.safe_load
        try:
            got = parse(actual)
        except Exception as e:  # noqa: BLE001 - report any parse failure
            return errors + [f"{name}: output is not valid {mode}: {e}"]
        want = parse(golden_text)
        if spec.get("select"):
            got = {p: select(got, p) for p in spec["select"]}
            want = {p: select(want, p) for p in spec["select"]}
        else:
            for key in spec.get("drop_keys", manifest["defaults"]["drop_keys"]):
                drop(got, key)
                drop(want, key)
        if normalise_numbers(got) != normalise_numbers(want):
            errors.append(f"{name}: structure differs\n--- want\n{json.dumps(want, indent=1, sort_keys=True)[:6000]}\n"
                          f"--- got\n{json.dumps(got, indent=1, sort_keys=True)[:6000]}")
    elif mode == "text":
        if text_lines(actual, ignore_lines) != text_lines(golden_text, ignore_lines):
            errors.append(f"{name}: text differs\n--- want\n{golden_text}\n--- got\n{actual}")
    elif mode == "regex":
        if spec.get("valid") == "json":
            try:
                json.loads(actual)
            except Exception as e:  # noqa: BLE001
                errors.append(f"{name}: not valid json: {e}")
        if spec.get("valid") == "yaml":
            try:
                yaml.safe_load(actual)
            except Exception as e:  # noqa: BLE001
                errors.append(f"{name}: not valid yaml: {e}")
    return errors


def run_case(binary, case, manifest):
    reason = skip_reason(case)
    if reason:
        print(f"SKIP {case['id']}: {reason}")
        return SKIP
    placeholder = manifest["placeholder"]
    with tempfile.TemporaryDirectory(prefix="atmos-conf-") as tmp:
        # A case may name its own root (a local case on upstream's fixtures: "../upstream/repo").
        case_root = case.get("root", manifest["root"])
        root = os.path.join(tmp, "repo")
        shutil.copytree(os.path.join(SUITE, case_root), root, symlinks=True)
        case_tmp = os.path.join(tmp, "case")
        for d in ("home", "mock-git-root", "xdg/cache", "xdg/config", "xdg/data"):
            os.makedirs(os.path.join(case_tmp, d), exist_ok=True)
        rel_dir = os.path.relpath(os.path.join(SUITE, case["dir"]), os.path.join(SUITE, case_root))
        workdir = os.path.join(root, rel_dir)
        tf = "tofu" if shutil.which("tofu") else "terraform"
        ph = {"workdir": workdir, "root": root, "tmp": case_tmp, "tf": tf}
        env = {k: os.environ[k] for k in manifest["defaults"]["inherit_env"] if k in os.environ}
        env.update({k: fill(str(v), ph) for k, v in manifest["defaults"]["env"].items()})
        env.update({k: fill(str(v), ph) for k, v in (case.get("env") or {}).items()})
        env.update(EXTRA_ENV)
        args = [fill(a, ph) for a in case["args"]]
        proc = subprocess.run([binary] + args, cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=manifest["defaults"].get("timeout", 120))
        roots = [root, os.path.realpath(root)]
        out = sanitize(proc.stdout.decode("utf-8", "replace"), roots, placeholder)
        err = sanitize(proc.stderr.decode("utf-8", "replace"), roots, placeholder)
        for stream in ("stdout", "stderr"):
            for pat, rep in ((case.get(stream) or {}).get("sanitize") or {}).items():
                if stream == "stdout":
                    out = re.sub(pat, rep, out)
                else:
                    err = re.sub(pat, rep, err)
        errors = []
        if proc.returncode != case["exit_code"]:
            errors.append(f"exit code {proc.returncode}, want {case['exit_code']}")
        ignore = manifest["defaults"]["stderr_ignore_lines"]
        errors += check_stream("stdout", case.get("stdout"), out, manifest, [])
        errors += check_stream("stderr", case.get("stderr"), err, manifest, ignore)
        if case["id"] in STRICT_STDOUT:
            with open(os.path.join(SUITE, case["stdout"]["golden"]), encoding="utf-8") as f:
                golden = f.read()
            strict_out = out
            for pat, rep in STRICT_SANITIZE.items():
                strict_out = re.sub(pat, rep, strict_out)
            if strict_out != golden:
                import difflib
                diff = "".join(difflib.unified_diff(golden.splitlines(True), strict_out.splitlines(True), "golden", "actual", n=2))
                errors.append("stdout is not byte-identical to the golden:\n" + diff[:8000])
        if errors:
            print(f"FAIL {case['id']}: {' '.join(args)}")
            for e in errors:
                print("  " + e)
            print("--- stderr ---\n" + err[:4000])
            return 1
        print(f"PASS {case['id']}")
        return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary")
    ap.add_argument("--case")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--suite", default="upstream", choices=["upstream", "local"])
    a = ap.parse_args()
    global SUITE
    SUITE = os.path.join(HERE, a.suite)
    manifest = load_manifest()
    if a.list:
        for c in manifest["cases"]:
            print(c["id"])
        return 0
    cases = [c for c in manifest["cases"] if a.case in (None, c["id"])]
    if not cases:
        print(f"no case {a.case}")
        return 1
    results = [run_case(os.path.abspath(a.binary), c, manifest) for c in cases]
    if any(r == 1 for r in results):
        return 1
    if all(r == SKIP for r in results):
        return SKIP
    return 0


if __name__ == "__main__":
    sys.exit(main())
