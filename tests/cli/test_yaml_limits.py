#!/usr/bin/env python3
"""YAML limits of build/atmos on hostile stack manifests (yaml.v3's limits: 10,000 levels of nesting, bounded
alias expansion): the error, the CPU time and the peak memory of the process, measured with wait4's rusage.
Run: test_yaml_limits.py BINARY"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

BINARY = None
ATMOS_YAML = """\
base_path: ./
components:
  terraform:
    base_path: components/terraform
stacks:
  base_path: stacks
  included_paths: ["deploy/**/*"]
  name_template: "{{ .vars.stage }}"
"""
HEADER = "vars:\n  stage: dev\n"
# Limits asserted for each hostile document (the process as a whole: start-up, configuration, the manifest).
MAX_CPU_SECONDS = 1.0
MAX_RSS_KB = 64 * 1024


def billion_laughs():
    text = "anchors:\n  a0: &a0 [" + ", ".join(['"lol"'] * 9) + "]\n"
    for level in range(1, 9):
        text += f"  a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]\n"
    return text + "components:\n  terraform:\n    c:\n      vars:\n        lol: *a8\n"


class Limits(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="atmos-yaml-limits-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        with open(os.path.join(self.dir, "atmos.yaml"), "w") as f:
            f.write(ATMOS_YAML)
        os.makedirs(os.path.join(self.dir, "stacks", "deploy"))

    def run_manifest(self, text, *args):
        with open(os.path.join(self.dir, "stacks", "deploy", "x.yaml"), "w") as f:
            f.write(HEADER + text)
        env = {"PATH": os.environ.get("PATH", ""), "HOME": self.dir, "ATMOS_GIT_ROOT_BASEPATH": "false"}
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.monotonic()
            proc = subprocess.Popen([BINARY, *(args or ("describe", "stacks"))], cwd=self.dir, env=env,
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            wall = time.monotonic() - start
            err.seek(0)
            stderr = err.read().decode()
        cpu = usage.ru_utime + usage.ru_stime
        print(f"{' '.join(args) or 'describe stacks'}: exit {proc.returncode}, cpu {cpu:.3f} s, wall {wall:.3f} s, "
              f"max rss {usage.ru_maxrss} KB", file=sys.stderr)
        return proc.returncode, stderr, cpu, usage.ru_maxrss

    def test_million_levels_of_flow_nesting(self):
        code, err, cpu, rss = self.run_manifest("deep: " + "[" * 1_000_000 + "\n")
        self.assertEqual(code, 1, err)
        self.assertIn("invalid stack manifest 'deploy/x'", err)
        self.assertIn("yaml: line 3: exceeded max depth of 10000", err)
        self.assertLess(cpu, MAX_CPU_SECONDS)
        self.assertLess(rss, MAX_RSS_KB)

    def test_million_levels_of_block_nesting(self):
        code, err, cpu, rss = self.run_manifest("deep:\n" + "- " * 1_000_000 + "x\n")
        self.assertEqual(code, 1, err)
        self.assertIn("yaml: line 3: exceeded max depth of 10000", err)
        self.assertLess(cpu, MAX_CPU_SECONDS)
        self.assertLess(rss, MAX_RSS_KB)

    def test_billion_laughs(self):
        code, err, cpu, rss = self.run_manifest(billion_laughs())
        self.assertEqual(code, 1, err)
        self.assertIn("x.yaml: yaml: document contains excessive aliasing", err)
        self.assertLess(cpu, MAX_CPU_SECONDS)
        self.assertLess(rss, MAX_RSS_KB)

    def test_deepest_complex_key_is_reported_in_linear_time(self):
        # A list as a map key is yaml.v3's "invalid map key", printed with Go's %#v: 10,000 levels print 150 KB,
        # built once (it was rebuilt at every level, 1.2 s).
        code, err, cpu, rss = self.run_manifest("? " + "[" * 10000 + "]" * 10000 + "\n: v\n")
        self.assertEqual(code, 1, err[-2000:])
        self.assertIn("yaml: invalid map key: []interface {}{[]interface {}{", err)
        self.assertLess(cpu, MAX_CPU_SECONDS)
        self.assertLess(rss, MAX_RSS_KB)

    def test_deepest_accepted_document_is_processed_without_a_crash(self):
        # 9,995 block levels holding 10,000 flow levels: the loader, merge, printers and validation recurse
        # once per level (on the deep stacks of core/deep_stack.hpp).
        deep = "components:\n  terraform:\n    c:\n      vars:\n        deep:\n          " + "- " * 9995 + \
               "[" * 10000 + "]" * 10000 + "\n"
        for args in (("describe", "stacks"), ("validate", "stacks"), ("describe", "component", "c", "-s", "dev")):
            code, err, _, _ = self.run_manifest(deep, *args)
            self.assertEqual(code, 0, err[-2000:])


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main()
