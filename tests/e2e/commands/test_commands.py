"""A custom command with arguments, flags, a component config and an identity, run against the lab, and an
alias of it; the aws/ambient identity as the root of a chain, with credentials from environment variables and
from a web identity token file. Usage: test_commands.py <path to atmos>. Needs ATMOS_LAB_STATE_DIR (CTest fixture e2e_commands_lab)."""

import json
import os
import shutil
import urllib.request
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "credentials"))
from common import Home, lab  # noqa: E402

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


AMBIENT = """    ambient:
      kind: aws/ambient
      principal: {region: us-east-1}
    plat-dev/admin:
      kind: aws/assume-role
      via: {identity: ambient}
      principal: {assume_role: "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"}
"""


def github_jwt() -> str:
    github = lab("GET", "/_lab/state")["github"]
    request = urllib.request.Request(github["request_url"] + "&audience=sts.amazonaws.com",
                                     headers={"Authorization": "bearer " + github["request_token"]})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=30) as response:
        return json.loads(response.read())["value"]


class AmbientChainRoot(unittest.TestCase):
    """core-root-terraform (assumed with a GitHub token) is the environment's identity; through aws/ambient it
    roots a chain into plat-dev's OrganizationAccountAccessRole, which trusts core-root."""

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="atmos-ambient-e2e-")
        cls.home = Home(cls.root, "ci")
        with open(os.path.join(cls.home.repo, "atmos.yaml"), encoding="utf-8") as handle:
            text = handle.read()
        with open(os.path.join(cls.home.repo, "atmos.yaml"), "w", encoding="utf-8") as handle:
            handle.write(text.replace("  identities:\n", "  identities:\n" + AMBIENT, 1))
        cls.token_file = os.path.join(cls.root, "token")
        with open(cls.token_file, "w", encoding="utf-8") as handle:
            handle.write(github_jwt() + "\n")
        cls.web_identity = {"AWS_WEB_IDENTITY_TOKEN_FILE": cls.token_file,
                            "AWS_ROLE_ARN": "arn:aws:iam::111111111111:role/core-root-terraform",
                            "AWS_ROLE_SESSION_NAME": "ci-job"}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, True)

    def caller(self, identity, *flags, **env):
        p = self.home.run(ATMOS, "auth", "exec", "--identity", identity, *flags, "--", "aws", "sts", "get-caller-identity",
                          "--query", "Arn", "--output", "text", **env)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        return p.stdout.strip()

    def test_web_identity_token_file(self):
        self.assertEqual(self.caller("ambient", **self.web_identity),
                         "arn:aws:sts::111111111111:assumed-role/core-root-terraform/ci-job")
        self.assertRegex(self.caller("plat-dev/admin", **self.web_identity),
                         r"^arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/")

    def test_environment_variables(self):
        # The keys a CI runner would have in its environment: core-root-terraform's, taken out of the lab here.
        p = self.home.run(ATMOS, "auth", "exec", "--identity", "ambient", "--credentials-endpoint=false", "--",
                          sys.executable, "-c",
                          "import boto3,json; c=boto3.Session().get_credentials().get_frozen_credentials();"
                          "print(json.dumps([c.access_key, c.secret_key, c.token]))", **self.web_identity)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        key, secret, token = json.loads(p.stdout)
        keys = {"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token}
        # Keys without an expiration, served by the credentials endpoint (with a one-hour lease: the AWS CLI v1
        # refuses an answer without `Expiration`) and read from the AWS files.
        self.assertEqual(self.caller("ambient", **keys), "arn:aws:sts::111111111111:assumed-role/core-root-terraform/ci-job")
        self.assertEqual(self.caller("ambient", "--credentials-endpoint=false", **keys), "arn:aws:sts::111111111111:assumed-role/core-root-terraform/ci-job")
        self.assertRegex(self.caller("plat-dev/admin", **keys),
                         r"^arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/")
        # Environment variables come first, and nothing is cached: without them the next run has nothing.
        p = self.home.run(ATMOS, "auth", "exec", "--identity", "plat-dev/admin", "--", "true", AWS_PROFILE="nope")
        self.assertEqual(p.returncode, 1)
        self.assertIn("found no credentials in the environment", p.stderr)
        self.assertIn("instance metadata is disabled", p.stderr)
        self.assertIn("does not read shared config profiles", p.stderr)

    def test_bad_token_file(self):
        p = self.home.run(ATMOS, "auth", "exec", "--identity", "ambient", "--", "true",
                          **{**self.web_identity, "AWS_WEB_IDENTITY_TOKEN_FILE": os.path.join(self.root, "missing")})
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot be read", p.stderr)

    def test_validate(self):
        self.assertEqual(self.home.run(ATMOS, "auth", "validate").returncode, 0)
        with open(os.path.join(self.home.repo, "atmos.yaml"), encoding="utf-8") as handle:
            text = handle.read()
        bad = text.replace("      kind: aws/ambient\n", "      kind: aws/ambient\n      via: {provider: acme-sso}\n", 1)
        other = os.path.join(self.root, "bad")
        os.makedirs(other)
        with open(os.path.join(other, "atmos.yaml"), "w", encoding="utf-8") as handle:
            handle.write(bad)
        p = self.home.run(ATMOS, "--config-path", other, "auth", "validate")
        self.assertEqual(p.returncode, 1)
        self.assertIn("an aws/ambient identity takes its credentials from the environment and must not define `via`", p.stderr)


if __name__ == "__main__":
    unittest.main()
