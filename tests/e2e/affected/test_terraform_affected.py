#!/usr/bin/env python3
"""`atmos terraform plan|apply --affected|--all` against the lab with real Terraform (docs/affected.md): a git
repository made from examples/acme (dns-zone depends on vpc in the same stack), the developers profile signed in
through the lab's SSO device flow as bob. Each instance runs as its stack's default identity, dependencies
first; a failing instance is in the summary, sets the exit code, and skips only its dependents.
Run: test_terraform_affected.py BINARY (needs ATMOS_LAB_STATE_DIR)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from acme_lab import ACME, acme_env, lab_request  # noqa: E402

BINARY = None
DEPENDS_ON_VPC = "      settings:\n        depends_on:\n          1:\n            component: vpc\n"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_SYSTEM": "/dev/null"}


def lab_counts() -> dict:
    return lab_request("/_lab/counters")["counts"]


class TerraformAffected(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="atmos-tf-affected-")
        cls.repo = os.path.join(cls.tmp, "acme")
        shutil.copytree(ACME, cls.repo, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "backend.tf.json"))
        with open(os.path.join(cls.repo, "stacks", "catalog", "dns-zone.yaml"), "a") as f:
            f.write(DEPENDS_ON_VPC)
        with open(os.path.join(cls.repo, ".gitignore"), "w") as f:
            f.write(".terraform/\n*.tfstate*\nterraform.tfstate.d/\n*.planfile\n*.tfvars.json\nbackend.tf.json\n.terraform.lock.hcl\n")
        for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
            subprocess.run(["git", *args], cwd=cls.repo, env=dict(os.environ, **GIT_ENV), check=True, capture_output=True)
        cls.env = acme_env(cls.tmp, "developers", user="bob")
        p = cls.atmos("auth", "login", "--provider", "acme-sso")
        assert p.returncode == 0, p.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    @classmethod
    def atmos(cls, *args):
        return subprocess.run([BINARY, *args], cwd=cls.repo, env=cls.env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=600)

    def edit(self, rel, extra):
        path = os.path.join(self.repo, rel)
        with open(path) as f:
            text = f.read()
        self.addCleanup(lambda: open(path, "w").write(text))
        with open(path, "w") as f:
            f.write(text + extra)

    def summary(self, stderr):
        """{instance: (identity, result)} from the summary table."""
        table = stderr[stderr.rindex("INSTANCE"):].splitlines()[1:]
        rows = {}
        for line in table:
            m = re.match(r"(\S+ in \S+)\s+(\S+)\s+(ok|failed \(exit \d+\)|skipped \(a dependency failed\))\s+\S+$", line)
            self.assertIsNotNone(m, line)
            rows[m.group(1)] = (m.group(2), m.group(3))
        return rows

    def started(self, stderr):
        return re.findall(r"^\[\d+/\d+\] (\S+ in \S+) as ", stderr, re.M)

    def test_1_plan_affected_plans_exactly_the_affected_instances_as_their_stack_identity(self):
        self.edit("stacks/orgs/acme/plat/dev/us-east-2.yaml", "\ncomponents:\n  terraform:\n    vpc:\n      vars:\n        max_subnet_count: 2\n")
        self.edit("stacks/orgs/acme/plat/sandbox/us-east-2.yaml", "\ncomponents:\n  terraform:\n    vpc:\n      vars:\n        max_subnet_count: 2\n")
        p = self.atmos("describe", "affected", "--base", "main", "--format", "matrix")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([(e["component"], e["stack"]) for e in json.loads(p.stdout)["include"]],
                         [("vpc", "plat-use2-dev"), ("vpc", "plat-use2-sandbox")])
        before = lab_counts()
        p = self.atmos("terraform", "plan", "--affected", "--base", "main", "--", "-no-color")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        after = lab_counts()
        # One sign-in for the whole run (the provider session from `auth login`), one role session per identity.
        self.assertEqual(after.get("sso-oidc:StartDeviceAuthorization"), before.get("sso-oidc:StartDeviceAuthorization"))
        self.assertEqual(after.get("sso:GetRoleCredentials", 0) - before.get("sso:GetRoleCredentials", 0), 2)
        self.assertEqual(self.started(p.stderr), ["vpc in plat-use2-dev", "vpc in plat-use2-sandbox"])
        self.assertEqual(self.summary(p.stderr), {"vpc in plat-use2-dev": ("plat-dev/terraform", "ok"),
                                                  "vpc in plat-use2-sandbox": ("plat-sandbox/terraform", "ok")})
        self.assertIn("Running as plat-dev/terraform (stack default from stacks/orgs/acme/plat/dev/_defaults.yaml), "
                      "account plat-dev, profile developers", p.stderr)
        self.assertIn("Running as plat-sandbox/terraform (stack default from stacks/orgs/acme/plat/sandbox/_defaults.yaml), "
                      "account plat-sandbox, profile developers", p.stderr)
        self.assertEqual(p.stdout.count("Plan: 1 to add, 0 to change, 0 to destroy."), 2)

    def test_2_apply_all_runs_dependencies_first(self):
        p = self.atmos("terraform", "apply", "--all", "-s", "plat-use2-dev", "--dry-run")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("1. vpc in plat-use2-dev as plat-dev/terraform\n", p.stdout)
        self.assertIn("2. dns-zone in plat-use2-dev as plat-dev/terraform after vpc in plat-use2-dev\n", p.stdout)
        p = self.atmos("terraform", "apply", "--all", "-s", "plat-use2-dev", "--", "-auto-approve", "-no-color")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(self.started(p.stderr), ["vpc in plat-use2-dev", "dns-zone in plat-use2-dev"])
        self.assertEqual(self.summary(p.stderr), {"vpc in plat-use2-dev": ("plat-dev/terraform", "ok"),
                                                  "dns-zone in plat-use2-dev": ("plat-dev/terraform", "ok")})
        self.assertEqual(p.stdout.count("Apply complete!"), 2)

    def test_3_a_failure_is_reported_and_independent_instances_still_run(self):
        self.edit("stacks/orgs/acme/plat/dev/us-east-2.yaml",
                  "  - catalog/tgw\n\ncomponents:\n  terraform:\n    vpc:\n      vars:\n        max_subnet_count: many\n")
        p = self.atmos("terraform", "plan", "--all", "-s", "plat-use2-dev", "--", "-no-color")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(self.summary(p.stderr), {"tgw in plat-use2-dev": ("plat-dev/terraform", "ok"),
                                                  "vpc in plat-use2-dev": ("plat-dev/terraform", "failed (exit 1)"),
                                                  "dns-zone in plat-use2-dev": ("plat-dev/terraform", "skipped (a dependency failed)")})
        self.assertEqual(self.started(p.stderr), ["tgw in plat-use2-dev", "vpc in plat-use2-dev"])


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
