#!/usr/bin/env python3
"""`atmos terraform plan-diff` and `generate planfile` against the lab: examples/acme with its s3 backend, bob signed in
through SSO (developers profile), Terraform running as the stack's identity. Run: test_plan_diff.py BINARY (needs
ATMOS_LAB_STATE_DIR)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from acme_lab import ACME, acme_env  # noqa: E402

BINARY = None
DEV = "plat-use2-dev"


class PlanDiffAgainstTheLab(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="atmos-plan-diff-")
        cls.repo = os.path.join(cls.tmp, "acme")
        shutil.copytree(ACME, cls.repo)
        cls.vpc = os.path.join(cls.repo, "components", "terraform", "vpc")
        cls.env = acme_env(cls.tmp, "developers", user="bob")
        p = cls.run_atmos("auth", "login", "--provider", "acme-sso")
        assert p.returncode == 0, p.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    @classmethod
    def run_atmos(cls, *args):
        return subprocess.run([BINARY, *args], cwd=cls.repo, env=cls.env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=300)

    def ok(self, *args, code=0):
        p = self.run_atmos(*args)
        self.assertEqual(p.returncode, code, f"atmos {' '.join(args)}\n--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}")
        return p

    def test_plan_diff_of_two_planfiles_planned_with_the_s3_backend(self):
        p = self.ok("terraform", "plan", "vpc", "-s", DEV, "-out=orig.plan")
        self.assertIn("Running as plat-dev/terraform", p.stderr)
        with open(os.path.join(self.vpc, "backend.tf.json"), encoding="utf-8") as f:
            self.assertIn('"s3"', f.read())
        p = self.ok("terraform", "plan-diff", "vpc", "-s", DEV, "--orig", "orig.plan")
        self.assertIn("The planfiles are identical", p.stdout)

        catalog = os.path.join(self.repo, "stacks", "catalog", "vpc.yaml")
        with open(catalog, encoding="utf-8") as f:
            original = f.read()
        self.addCleanup(lambda: open(catalog, "w", encoding="utf-8").write(original))
        with open(catalog, "w", encoding="utf-8") as f:
            f.write(original.replace("10.0.0.0/16", "10.7.0.0/16"))
        self.ok("terraform", "plan", "vpc", "-s", DEV, "-out=new.plan")
        p = self.ok("terraform", "plan-diff", "vpc", "-s", DEV, "--orig", "orig.plan", "--new", "new.plan", code=2)
        self.assertIn("Running as plat-dev/terraform", p.stderr)
        self.assertIn("~ ipv4_primary_cidr_block: 10.0.0.0/16 => 10.7.0.0/16\n", p.stdout)
        self.assertIn("~ terraform_data.vpc\n  ~ input.cidr: 10.0.0.0/16 => 10.7.0.0/16\n", p.stdout)

        self.ok("terraform", "generate", "planfile", "vpc", "-s", DEV)
        with open(os.path.join(self.vpc, "plat-use2-dev-vpc.planfile.json"), encoding="utf-8") as f:
            plan = json.load(f)
        self.assertEqual(plan["variables"]["ipv4_primary_cidr_block"]["value"], "10.7.0.0/16")


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main()
