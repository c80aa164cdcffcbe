#!/usr/bin/env python3
"""The README's quick start end to end: examples/acme against the lab, the developers profile, SSO sign-in
through the device flow (the lab's browser signs in as bob, a developer), and Terraform running as each stack's
default identity with its state in that account's bucket. Run: test_story.py BINARY (needs ATMOS_LAB_STATE_DIR)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from acme_lab import ACME, acme_env, browser  # noqa: E402

BINARY = None


class Story(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="atmos-story-")
        cls.repo = os.path.join(cls.tmp, "acme")
        shutil.copytree(ACME, cls.repo)
        cls.env = acme_env(cls.tmp, "developers", user="bob")

    def as_devops(self) -> dict:
        """alice's devops session (TerraformApplyAccess everywhere), with its own caches."""
        return {"ATMOS_PROFILE": "devops", "BROWSER": browser(self.tmp, "alice"),
                "XDG_CONFIG_HOME": os.path.join(self.tmp, "alice-config"), "XDG_CACHE_HOME": os.path.join(self.tmp, "alice-cache")}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    def atmos(self, *args, **env):
        e = dict(self.env)
        e.update(env)
        return subprocess.run([BINARY, *args, *(["-no-color"] if args[0] == "terraform" and args[1] in ("plan", "apply") else [])],
                              cwd=self.repo, env=e, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)

    def ok(self, *args, **env):
        p = self.atmos(*args, **env)
        self.assertEqual(p.returncode, 0, f"atmos {' '.join(args)}\n--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}")
        return p

    def test_1_quick_start(self):
        p = self.ok("auth", "login", "--provider", "acme-sso")
        self.assertIn("Verification Code", p.stderr)
        self.ok("auth", "login", "--identity", "core-auto/terraform")
        p = self.ok("terraform", "plan", "vpc", "-s", "plat-use2-dev")
        self.assertIn("Running as plat-dev/terraform (stack default from stacks/orgs/acme/plat/dev/_defaults.yaml), "
                      "account plat-dev, profile developers", p.stderr)
        self.assertIn("1 to add, 0 to change, 0 to destroy", p.stdout)
        p = self.ok("auth", "whoami", "--identity", "plat-dev/terraform")
        self.assertIn("arn:aws:sts::222222222222:assumed-role/AWSReservedSSO_TerraformApplyAccess_", p.stdout + p.stderr)

    def test_2_apply_writes_state_in_the_stacks_own_account(self):
        self.ok("terraform", "apply", "vpc", "-s", "plat-use2-dev", "-auto-approve")
        p = self.ok("terraform", "output", "vpc", "-s", "plat-use2-dev")
        self.assertIn('vpc_id = "acme-plat-use2-dev-vpc"', p.stdout)
        listing = self.ok("auth", "exec", "--identity", "plat-dev/terraform", "--",
                          "aws", "s3api", "list-objects-v2", "--bucket", "acme-plat-dev-tfstate", "--output", "json")
        keys = [o["Key"] for o in json.loads(listing.stdout)["Contents"]]
        self.assertIn("vpc/plat-use2-dev/terraform.tfstate", keys)

    def test_3_plan_access_plans_but_cannot_apply(self):
        # The workspace is created by an apply identity first (creating it writes state).
        self.ok("auth", "login", "--provider", "acme-sso", **self.as_devops())
        p = self.ok("terraform", "workspace", "vpc", "-s", "plat-use2-staging", **self.as_devops())
        self.assertIn("Running as plat-staging/terraform (stack default from stacks/orgs/acme/plat/staging/_defaults.yaml), "
                      "account plat-staging, profile devops", p.stderr)
        p = self.ok("terraform", "plan", "vpc", "-s", "plat-use2-staging")
        self.assertIn("Running as plat-staging/terraform", p.stderr)
        p = self.atmos("terraform", "apply", "vpc", "-s", "plat-use2-staging", "-auto-approve")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("AccessDenied", p.stderr)
        self.assertIn("running as plat-staging/terraform, account plat-staging, profile developers", p.stderr)

    def test_4_required_identities_are_signed_in_too(self):
        profile = os.path.join(self.repo, "profiles", "developers", "atmos.yaml")
        with open(profile) as f:
            text = f.read()
        self.addCleanup(lambda: open(profile, "w").write(text))
        with open(profile, "w") as f:
            f.write(text.replace("    core-network/terraform:\n", "    core-network/terraform:\n      required: true\n", 1))
        self.ok("terraform", "plan", "vpc", "-s", "plat-use2-sandbox")
        p = self.ok("auth", "env", "--identity", "core-network/terraform", "--format", "json")
        credentials = json.loads(p.stdout)["AWS_SHARED_CREDENTIALS_FILE"]
        with open(credentials) as f:
            self.assertIn("[core-network/terraform]", f.read())


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
