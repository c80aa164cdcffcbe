#!/usr/bin/env python3
"""examples/acme's coldstart workflow as the superadmin profile against the lab: the breakglass IAM user (MFA)
checks its root access in a shell step, then each `atmos` step deploys with real Terraform as the step's identity
(OrganizationAccountAccessRole in the member account), state in that account's bucket. A failing step says how to
resume, and resuming skips the steps before it. Run: test_workflow.py BINARY (needs ATMOS_LAB_STATE_DIR)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from acme_lab import ACME, acme_env, lab_request  # noqa: E402

BINARY = None


class Coldstart(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="atmos-workflow-")
        cls.repo = os.path.join(cls.tmp, "acme")
        shutil.copytree(ACME, cls.repo)
        cls.env = acme_env(cls.tmp, "superadmin")
        cls.env.update({"ATMOS_KEYRING_TYPE": "file", "ATMOS_KEYRING_FILE_PATH": os.path.join(cls.tmp, "keyring"),
                        "ATMOS_KEYRING_PASSWORD": "correct horse battery staple"})
        state = lab_request("/_lab/state")
        cls.admin = next(u for u in state["iam_users"] if u["name"] == "admin")
        p = cls.atmos("auth", "user", "configure", "--identity", "core-root/terraform", "--access-key-id",
                      cls.admin["access_key_id"], input=cls.admin["secret_access_key"] + "\n")
        assert p.returncode == 0, p.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    @classmethod
    def mfa_code(cls) -> str:
        if shutil.which("oathtool"):
            return subprocess.run(["oathtool", "--totp", "-b", cls.admin["mfa_seed"]], capture_output=True, text=True,
                                  check=True).stdout.strip()
        return lab_request("/_lab/totp?serial=" + urllib.parse.quote(cls.admin["mfa_serial"]))["code"]

    @classmethod
    def atmos(cls, *args, input=None, **env):
        stdin = {"input": input} if input is not None else {"stdin": subprocess.DEVNULL}
        return subprocess.run([BINARY, *args], cwd=cls.repo, env={**cls.env, **env}, capture_output=True, text=True,
                              timeout=300, **stdin)

    def describe(self, p):
        return f"exit {p.returncode}\n--- stdout\n{p.stdout[-3000:]}\n--- stderr\n{p.stderr[-3000:]}"

    def test_1_coldstart_deploys_as_each_steps_identity(self):
        p = self.atmos("workflow", "coldstart", "-f", "coldstart", ATMOS_MFA_TOKEN=self.mfa_code())
        self.assertEqual(p.returncode, 0, self.describe(p))
        # The shell step ran as the IAM user in the root account.
        self.assertIn("111111111111\n", p.stdout)
        # Each Terraform step ran as its step's identity, chained through OrganizationAccountAccessRole.
        self.assertRegex(p.stderr, r"Running as core-network/terraform \(--identity flag\), account 999999999999, "
                                   r"profile superadmin\n")
        self.assertRegex(p.stderr, r"Running as plat-dev/terraform \(--identity flag\), account 222222222222, "
                                   r"profile superadmin\n")
        self.assertIn("Apply complete! Resources: 1 added", p.stdout)
        outputs = {}
        for account, bucket, key in (("999999999999", "acme-core-network-tfstate", "tgw/core-use2-network/terraform.tfstate"),
                                     ("222222222222", "acme-plat-dev-tfstate", "vpc/plat-use2-dev/terraform.tfstate")):
            target = os.path.join(self.tmp, account + ".tfstate")
            identity = "core-network/terraform" if account == "999999999999" else "plat-dev/terraform"
            r = self.atmos("auth", "exec", "--identity", identity, "--", "aws", "s3api", "get-object", "--bucket", bucket,
                           "--key", key, target)
            self.assertEqual(r.returncode, 0, self.describe(r))
            with open(target) as f:
                outputs[account] = json.load(f)["resources"]
        self.assertTrue(outputs["999999999999"] and outputs["222222222222"])

    def test_2_failure_says_how_to_resume(self):
        with open(os.path.join(self.repo, "workflows", "broken.yaml"), "w") as f:
            f.write("workflows:\n  broken:\n    steps:\n"
                    "      - name: first\n        type: shell\n        command: echo first\n"
                    "      - name: denied\n        command: terraform plan vpc\n        stack: plat-use2-dev\n"
                    "        identity: core-root/terraform\n"
                    "      - name: last\n        type: shell\n        command: echo last\n")
        p = self.atmos("workflow", "broken")
        self.assertNotEqual(p.returncode, 0, self.describe(p))
        self.assertIn("**Error:** workflow step execution failed", p.stderr)
        self.assertIn("atmos workflow broken -f broken --from-step 'denied' -s 'plat-use2-dev'", p.stderr)
        self.assertNotIn("last", p.stdout)
        p = self.atmos("workflow", "broken", "-f", "broken", "--from-step", "last")
        self.assertEqual(p.returncode, 0, self.describe(p))
        self.assertEqual(p.stdout, "last\n")


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main()
