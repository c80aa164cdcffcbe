"""A custom command with arguments, flags, a component config and an identity, run against the lab, and an
alias of it. Usage: test_commands.py <path to atmos>. Needs ATMOS_LAB_STATE_DIR (CTest fixture e2e_commands_lab)."""

import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "credentials"))
from common import Home  # noqa: E402

ATMOS = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "atmos"

COMMANDS = """
aliases:
  who: whoami-in sleeper
commands:
  - name: whoami-in
    description: Who a component's stack identity is
    identity: plat-dev/terraform
    arguments:
      - name: component
        description: The component
        required: true
    flags:
      - name: stack
        shorthand: s
        description: The stack
        required: true
      - name: loud
        type: bool
        description: Shout
    component_config:
      component: "{{ .Arguments.component }}"
      stack: "{{ .Flags.stack }}"
    env:
      - key: SECONDS_VAR
        value: "{{ .ComponentConfig.vars.seconds }}"
    steps:
      - 'echo "component={{ .Arguments.component }} stack={{ .Flags.stack }} seconds=$SECONDS_VAR{{ if .Flags.loud }}!{{ end }}"'
      - aws sts get-caller-identity --query Arn --output text
      - 'echo "endpoint=${AWS_CONTAINER_CREDENTIALS_FULL_URI:+set}"'
"""


class CustomCommandWithIdentity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="atmos-commands-e2e-")
        cls.home = Home(cls.root, "alice", extra_config=COMMANDS, seconds=3)
        p = cls.home.run(ATMOS, "auth", "login")
        if p.returncode != 0:
            raise AssertionError(p.stderr[-3000:])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, True)

    def run_ok(self, *args, **env):
        p = self.home.run(ATMOS, *args, **env)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        return p

    def test_runs_as_the_identity_with_the_component_config(self):
        p = self.run_ok("whoami-in", "sleeper", "-s", "dev", "--loud")
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0], "component=sleeper stack=dev seconds=3!")
        self.assertRegex(lines[1], r"^arn:aws:sts::222222222222:assumed-role/AWSReservedSSO_TerraformApplyAccess_[0-9a-f]+/alice")
        self.assertEqual(lines[2], "endpoint=set")

    def test_alias(self):
        p = self.run_ok("who", "-s", "dev")
        self.assertEqual(p.stdout.splitlines()[0], "component=sleeper stack=dev seconds=3")
        self.assertIn(":222222222222:assumed-role/", p.stdout)

    def test_identity_flag_overrides(self):
        p = self.home.run(ATMOS, "whoami-in", "sleeper", "-s", "dev", "--identity", "nobody/here")
        self.assertEqual(p.returncode, 1)
        self.assertIn("identity not found", p.stderr)
        self.assertEqual(p.stdout, "")
        # An empty identity runs the steps without credentials: STS refuses the anonymous call.
        p = self.home.run(ATMOS, "whoami-in", "sleeper", "-s", "dev", "--identity=", AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="")
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(p.stdout.splitlines()[0], "component=sleeper stack=dev seconds=3")
        self.assertNotIn("assumed-role", p.stdout)


if __name__ == "__main__":
    unittest.main()
