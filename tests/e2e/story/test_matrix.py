#!/usr/bin/env python3
"""The permission table of the acme profiles (examples/acme/profiles), cell by cell: every profile × every stack
of each stack class (core, plat dev/sandbox, plat staging/prod) runs `plan` and `apply` of `vpc` against the lab
with real Terraform, and each cell gets exactly what the table says. Then the story's troubleshooting steps and
their errors. Run: test_matrix.py BINARY (needs ATMOS_LAB_STATE_DIR)."""
import concurrent.futures
import json
import os
import pty
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import urllib.request

BINARY = None
ACME = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "examples", "acme")

STACKS = {
    "core": ("core-use2-root", "core-use2-auto", "core-use2-audit", "core-use2-network"),
    "plat dev/sandbox": ("plat-use2-dev", "plat-use2-sandbox"),
    "plat staging/prod": ("plat-use2-staging", "plat-use2-prod"),
}
EVERYWHERE = {"core": "Apply", "plat dev/sandbox": "Apply", "plat staging/prod": "Apply"}
# Apply = plan and apply; Plan = plan only; State = neither, but the state object can be read.
TABLE = {
    "devops": EVERYWHERE,
    "developers": {"core": "State", "plat dev/sandbox": "Apply", "plat staging/prod": "Plan"},
    "managers": EVERYWHERE,
    "superadmin": EVERYWHERE,
    "github-plan": {"core": "Plan", "plat dev/sandbox": "Plan", "plat staging/prod": "Plan"},
    "github-apply": EVERYWHERE,
}
# superadmin's core-root identity is the IAM user itself, which only assumes OrganizationAccountAccessRole:
# its cells are the member accounts it chains into.
MEMBER_ACCOUNTS_ONLY = {"superadmin"}
SSO_USERS = {"devops": "alice", "developers": "bob", "managers": "carol"}


def lab_endpoint() -> str:
    with open(os.path.join(os.environ["ATMOS_LAB_STATE_DIR"], "ready.json"), encoding="utf-8") as handle:
        return json.load(handle)["endpoint"]


def lab(method: str, path: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(lab_endpoint() + path, data=data, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def stacks_of(profile: str, stack_class: str) -> tuple:
    return tuple(s for s in STACKS[stack_class] if not (profile in MEMBER_ACCOUNTS_ONLY and s == "core-use2-root"))


def identity_of(stack: str) -> str:
    tenant, _, stage = stack.split("-")
    return f"{tenant}-{stage}/terraform"


def running_line(stack: str, profile: str) -> re.Pattern:
    tenant, _, stage = stack.split("-")
    return re.compile(rf"^Running as {re.escape(identity_of(stack))} \(stack default from "
                      rf"stacks/orgs/acme/{tenant}/{stage}/_defaults\.yaml\), account \S+, profile {re.escape(profile)}$", re.M)


def describe(p: subprocess.CompletedProcess) -> str:
    return f"{' '.join(p.args[1:])} → exit {p.returncode}\n--- stdout\n{p.stdout[-3000:]}\n--- stderr\n{p.stderr[-3000:]}"


class Actor:
    """A person or CI job using one profile, with its own home, caches and copy of the repository (Terraform works
    in the component's folder, so actors running at the same time never share one)."""

    def __init__(self, root: str, name: str, profile: str, base_env: dict, **env: str) -> None:
        self.name, self.profile, self.dir = name, profile, os.path.join(root, name)
        self.repo = os.path.join(self.dir, "acme")
        shutil.copytree(ACME, self.repo)
        self.env = {**base_env, "ATMOS_PROFILE": profile, "HOME": os.path.join(self.dir, "home"),
                    "XDG_CONFIG_HOME": os.path.join(self.dir, "config"), "XDG_CACHE_HOME": os.path.join(self.dir, "cache"), **env}
        self.per_command_env = lambda: {}
        self.prepared = False

    def atmos(self, *args: str, input: str | None = None, terminal: bool = False, **env: str) -> subprocess.CompletedProcess:
        """atmos with stdin from `input`, a pseudo-terminal (a person at the keyboard) or nothing."""
        run_env = {k: v for k, v in {**self.env, **self.per_command_env(), **env}.items() if v is not None}
        if not terminal:
            stdin = {"input": input} if input is not None else {"stdin": subprocess.DEVNULL}
            return subprocess.run([BINARY, *args], cwd=self.repo, env=run_env, capture_output=True, text=True, timeout=300, **stdin)
        keyboard, tty = pty.openpty()
        try:
            return subprocess.run([BINARY, *args], cwd=self.repo, env=run_env, capture_output=True, text=True, timeout=300, stdin=tty)
        finally:
            os.close(tty)
            os.close(keyboard)

    def ok(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        p = self.atmos(*args, **kwargs)
        if p.returncode != 0:
            raise AssertionError(f"[{self.name}] " + describe(p))
        return p

    def terraform(self, command: str, stack: str) -> subprocess.CompletedProcess:
        """`plan` or `apply` of vpc. Each actor gives the VPC its own name, so every run has a change to make
        (a refused apply is refused for writing state, not because there was nothing to write)."""
        extra = ["-auto-approve"] if command == "apply" else []
        return self.atmos("terraform", command, "vpc", "-s", stack, "-no-color", f"-var=name=vpc-{self.name}", *extra)


def sso_browser(root: str, user: str) -> str:
    """A BROWSER that signs in to the lab's SSO as `user`."""
    path = os.path.join(root, "browser-" + user)
    with open(path, "w", encoding="utf-8") as f:
        f.write("#!/bin/sh\nexec python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1]+\"&user=%s\").read()' \"$1\"\n" % user)
    os.chmod(path, 0o755)
    return path


def base_env(root: str) -> dict:
    rc = os.path.join(root, "terraformrc")
    open(rc, "w").close()
    endpoint = lab_endpoint()
    env = {"PATH": os.environ["PATH"], "ATMOS_GIT_ROOT_BASEPATH": "false", "ATMOS_KEYRING_TYPE": "memory",
           "TF_CLI_CONFIG_FILE": rc, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1",
           "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost", "AWS_EC2_METADATA_DISABLED": "true"}
    for service in ("STS", "SSO", "SSO_OIDC", "SIGNIN", "S3", "IAM"):
        env["AWS_ENDPOINT_URL_" + service] = endpoint
    return env


def sso_actor(root: str, profile: str, user: str, env: dict) -> Actor:
    return Actor(root, f"{profile}-{user}", profile, env, BROWSER=sso_browser(root, user))


def github_env(request: dict) -> dict:
    return {"GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": request["url"], "ACTIONS_ID_TOKEN_REQUEST_TOKEN": request["token"]}


class Matrix(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="atmos-matrix-")
        cls.state = lab("GET", "/_lab/state")
        env = base_env(cls.tmp)
        cls.actors = {profile: sso_actor(cls.tmp, profile, user, env) for profile, user in SSO_USERS.items()}
        github = cls.state["github"]
        main = {"url": github["request_url"], "token": github["request_token"]}
        for profile in ("github-plan", "github-apply"):
            cls.actors[profile] = Actor(cls.tmp, profile, profile, env, **github_env(main))
        cls.actors["superadmin"] = Actor(cls.tmp, "superadmin", "superadmin", env, ATMOS_KEYRING_TYPE="file",
                                         ATMOS_KEYRING_FILE_PATH=os.path.join(cls.tmp, "superadmin", "keyring"),
                                         ATMOS_KEYRING_PASSWORD="correct horse battery staple")
        cls.actors["superadmin"].per_command_env = lambda: {"ATMOS_MFA_TOKEN": cls.mfa_code()}
        cls.env = env
        # Actors take turns on a stack: Terraform gives up, instead of waiting, when a state lock it found taken
        # is released before it can read who holds it.
        cls.stack_turns = {stack: threading.Lock() for stacks in STACKS.values() for stack in stacks}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    @classmethod
    def admin(cls) -> dict:
        return next(u for u in cls.state["iam_users"] if u["name"] == "admin")

    @classmethod
    def mfa_code(cls) -> str:
        """The admin's current TOTP code, as a person gets it: oathtool with the virtual MFA device's seed."""
        if shutil.which("oathtool"):
            return subprocess.run(["oathtool", "--totp", "-b", cls.admin()["mfa_seed"]], capture_output=True, text=True,
                                  check=True).stdout.strip()
        return lab("GET", "/_lab/totp?serial=" + urllib.parse.quote(cls.admin()["mfa_serial"]))["code"]

    @classmethod
    def prepare(cls, actor: Actor) -> None:
        """What each actor does once: SSO users sign in (one device flow each), superadmin stores the IAM user's
        keys in its keyring; GitHub jobs need nothing."""
        if actor.prepared:
            return
        if actor.profile in SSO_USERS:
            p = actor.ok("auth", "login", "--provider", "acme-sso")
            if "Verification Code" not in p.stderr:
                raise AssertionError(f"[{actor.name}] no device flow:\n{p.stderr}")
        elif actor.profile == "superadmin":
            admin = cls.admin()
            actor.ok("auth", "user", "configure", "--identity", "core-root/terraform", "--access-key-id", admin["access_key_id"],
                     input=admin["secret_access_key"] + "\n")
        actor.prepared = True

    def account_id(self, name: str) -> str:
        return next(a["id"] for a in self.state["accounts"] if a["name"] == name)

    def run_profile(self, profile: str) -> dict:
        actor = self.actors[profile]
        self.prepare(actor)
        cells = [(stack, access) for stack_class, access in TABLE[profile].items() for stack in stacks_of(profile, stack_class)]
        start = list(TABLE).index(profile)
        runs = {}
        for stack, access in cells[start:] + cells[:start]:
            with self.stack_turns[stack]:
                cell = {"plan": actor.terraform("plan", stack), "apply": actor.terraform("apply", stack)}
            if access == "State":
                tenant, _, stage = stack.split("-")
                target = os.path.join(actor.dir, f"{stack}.tfstate")
                cell["read"] = actor.atmos("auth", "exec", "--identity", identity_of(stack), "--", "aws", "s3api", "get-object",
                                           "--bucket", f"acme-{tenant}-{stage}-tfstate", "--key", f"vpc/{stack}/terraform.tfstate", target)
                cell["state_file"] = target
            runs[stack] = cell
        return runs

    def assertRefused(self, p: subprocess.CompletedProcess, stack: str, profile: str) -> None:
        self.assertNotEqual(p.returncode, 0, describe(p))
        self.assertIn("AccessDenied", p.stderr, describe(p))
        self.assertRegex(p.stderr, rf"Terraform exited with code {p.returncode} running as {re.escape(identity_of(stack))}, "
                                   rf"account \S+, profile {re.escape(profile)}\n")

    def check_cell(self, profile: str, stack: str, access: str, cell: dict) -> None:
        plan, apply = cell["plan"], cell["apply"]
        for p in (plan, apply):
            self.assertRegex(p.stderr, running_line(stack, profile), describe(p))
        if access == "State":
            self.assertRefused(plan, stack, profile)
        else:
            self.assertEqual(plan.returncode, 0, describe(plan))
            self.assertRegex(plan.stdout, r"Plan: \d+ to add, \d+ to change, \d+ to destroy")
        if access == "Apply":
            self.assertEqual(apply.returncode, 0, describe(apply))
            self.assertIn("Apply complete!", apply.stdout)
            self.assertIn(f'vpc_id = "acme-{stack}-vpc-{self.actors[profile].name}"', apply.stdout)
        else:
            self.assertRefused(apply, stack, profile)
        if access == "State":
            self.assertEqual(cell["read"].returncode, 0, describe(cell["read"]))
            with open(cell["state_file"], encoding="utf-8") as handle:
                state = json.load(handle)
            self.assertEqual(state["version"], 4)
            self.assertIn("lineage", state)

    def test_1_permission_table(self):
        devops = self.actors["devops"]
        self.prepare(devops)
        # Creating a workspace writes state, so an apply identity creates each one first.
        for stack_class in STACKS.values():
            for stack in stack_class:
                devops.ok("terraform", "workspace", "vpc", "-s", stack)
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(TABLE)) as pool:
            futures = {profile: pool.submit(self.run_profile, profile) for profile in TABLE}
            results = {profile: future.result() for profile, future in futures.items()}
        for profile, classes in TABLE.items():
            for stack_class, access in classes.items():
                for stack in stacks_of(profile, stack_class):
                    with self.subTest(profile=profile, stack=stack, access=access):
                        self.check_cell(profile, stack, access, results[profile][stack])

    def test_2_managers_root_identities_use_root_access(self):
        managers = self.actors["managers"]
        self.prepare(managers)
        for stack_class in STACKS.values():
            for stack in stack_class:
                if stack == "core-use2-root":
                    continue
                tenant, _, stage = stack.split("-")
                identity = f"{tenant}-{stage}/root"
                with self.subTest(identity=identity):
                    managers.ok("auth", "login", "--identity", identity)
                    p = managers.ok("auth", "whoami", "--identity", identity)
                    self.assertRegex(p.stdout + p.stderr, rf"Principal\s+arn:aws:sts::{self.account_id(f'{tenant}-{stage}')}:"
                                                          r"assumed-role/AWSReservedSSO_RootAccess_[0-9a-f]+/carol\n")

    def test_2b_managers_centralized_root_access(self):
        managers = self.actors["managers"]
        self.prepare(managers)
        p = managers.ok("auth", "exec", "--identity", "plat-dev/root-audit", "--", "aws", "sts", "get-caller-identity", "--output", "text")
        self.assertIn("arn:aws:iam::222222222222:root", p.stdout)
        # Every root-task policy is accepted; another policy or a target outside the organization is a clear error.
        tasks = ("IAMAuditRootUserCredentials", "IAMCreateRootUserPassword", "IAMDeleteRootUserCredentials",
                 "S3UnlockBucketPolicy", "SQSUnlockQueuePolicy")
        extra = {f"root-{task}": ("222222222222", f"arn:aws:iam::aws:policy/root-task/{task}") for task in tasks}
        extra["root-unknown-task"] = ("222222222222", "arn:aws:iam::aws:policy/root-task/ReadEverything")
        extra["root-not-a-task"] = ("222222222222", "arn:aws:iam::aws:policy/AdministratorAccess")
        extra["root-outsider"] = ("123456789012", "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")
        with open(os.path.join(managers.repo, "profiles", "managers", "atmos.yaml"), "a", encoding="utf-8") as handle:
            for name, (target, task) in extra.items():
                handle.write(f"    {name}:\n      kind: aws/assume-root\n      via: {{identity: core-identity/root}}\n"
                             f"      principal: {{target_principal: \"{target}\", task_policy_arn: \"{task}\"}}\n")
        for task in tasks:
            with self.subTest(task=task):
                p = managers.ok("auth", "whoami", "--identity", f"root-{task}")
                self.assertRegex(p.stdout, r"Principal\s+arn:aws:iam::222222222222:root\n")
        p = managers.atmos("auth", "login", "--identity", "root-unknown-task")
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertIn("Failed to assume root on account '222222222222'", p.stderr)
        self.assertIn("not a supported root task policy", p.stderr)
        p = managers.atmos("auth", "login", "--identity", "root-not-a-task")
        self.assertEqual(p.returncode, 2, describe(p))
        self.assertIn("must be an AWS-managed root-task policy", p.stderr)
        p = managers.atmos("auth", "login", "--identity", "root-outsider")
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertIn("not a member account of your organization", p.stderr)

    def test_3_github_apply_only_from_main(self):
        feature = github_env(lab("POST", "/_lab/github/request-token", {"claims": {"ref": "refs/heads/feature"}}))
        branch_apply = Actor(self.tmp, "github-apply-feature", "github-apply", self.env, **feature)
        p = branch_apply.terraform("apply", "plat-use2-dev")
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertRegex(p.stderr, running_line("plat-use2-dev", "github-apply"))
        self.assertIn("AccessDenied", p.stderr)
        self.assertIn("arn:aws:iam::222222222222:role/plat-dev-terraform", p.stderr)
        self.assertIn("for identity `plat-dev/terraform`", p.stderr)
        branch_plan = Actor(self.tmp, "github-plan-feature", "github-plan", self.env, **feature)
        p = branch_plan.terraform("plan", "plat-use2-dev")
        self.assertEqual(p.returncode, 0, describe(p))

    def test_4_superadmin_chains_through_organization_account_access_role(self):
        superadmin = self.actors["superadmin"]
        self.prepare(superadmin)
        superadmin.ok("auth", "login", "--identity", "plat-dev/terraform")
        p = superadmin.ok("auth", "whoami", "--identity", "plat-dev/terraform")
        self.assertRegex(p.stdout + p.stderr, r"Principal\s+arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/superadmin\n")


class Troubleshooting(unittest.TestCase):
    """The story's troubleshooting steps, as a developer meets them: each error says what is wrong and what to do."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="atmos-troubleshooting-")
        cls.env = base_env(cls.tmp)
        cls.browser = sso_browser(cls.tmp, "bob")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    def developer(self, name: str) -> Actor:
        return Actor(self.tmp, name, "developers", self.env, BROWSER=self.browser)

    def test_1_profile_unset(self):
        p = self.developer("no-profile").atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", ATMOS_PROFILE=None)
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertIn('Component default identity "plat-dev/terraform" (set in stacks/orgs/acme/plat/dev/_defaults.yaml) '
                      "is not defined", p.stderr)
        self.assertIn("select a profile that defines it", p.stderr)

    def test_2_profile_unknown(self):
        p = self.developer("unknown-profile").atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", ATMOS_PROFILE="platform")
        self.assertEqual(p.returncode, 2, describe(p))
        self.assertIn("Profile `platform` does not exist", p.stderr)
        self.assertIn("Available profiles are: developers, devops, github-apply, github-plan, managers, superadmin", p.stderr)

    def test_3_identity_not_in_profile(self):
        actor = self.developer("missing-identity")
        for how, args, env in (("--identity", ("--identity", "plat-dev/root"), {}), ("ATMOS_IDENTITY", (), {"ATMOS_IDENTITY": "plat-dev/root"})):
            with self.subTest(how=how):
                p = actor.atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", *args, **env)
                self.assertEqual(p.returncode, 1, describe(p))
                self.assertIn(f"Identity `plat-dev/root` (from {how}) is not defined", p.stderr)
                self.assertIn(os.path.join(actor.repo, "profiles", "developers", "atmos.yaml"), p.stderr)
                listed = p.stderr.split("Identities defined there:\n")[1]
                self.assertEqual(re.findall(r"^  - (\S+)$", listed, re.M), sorted(identity_of(s) for c in STACKS.values() for s in c))

    def test_4_debug_log_shows_resolution_token_and_role(self):
        actor = self.developer("debug")
        actor.ok("auth", "login", "--provider", "acme-sso")
        p = actor.ok("terraform", "plan", "vpc", "-s", "plat-use2-dev", ATMOS_LOGS_LEVEL="debug")
        for line in (r"Identity resolved from stack manifests identity=plat-dev/terraform file=stacks/orgs/acme/plat/dev/_defaults\.yaml",
                     r"Authentication chain discovered identity=plat-dev/terraform chainLength=2 chain=\[acme-sso plat-dev/terraform\]",
                     r"Using on-disk cached SSO token path=\S+",
                     r"Getting role credentials identity=plat-dev/terraform account=222222222222 permission_set=TerraformApplyAccess",
                     r"Authentication successful identity=plat-dev/terraform expiration=\S+"):
            self.assertRegex(p.stderr, re.compile("^DEBU " + line + "$", re.M))
        warm = actor.ok("terraform", "plan", "vpc", "-s", "plat-use2-dev", ATMOS_LOGS_LEVEL="debug")
        self.assertRegex(warm.stderr, re.compile(r"^DEBU Using cached target credentials identity=plat-dev/terraform expiration=\S+$", re.M))
        state = lab("GET", "/_lab/state")
        secrets = [(entry["kind"], entry["value"]) for entry in lab("GET", "/_lab/secrets")["secrets"]]
        secrets += [("IAM secret access key", u["secret_access_key"]) for u in state["iam_users"]]
        secrets.append(("GitHub request token", state["github"]["request_token"]))
        self.assertTrue(any(kind == "sso_access_token" for kind, _ in secrets))
        output = p.stdout + p.stderr + warm.stdout + warm.stderr
        self.assertEqual(sorted({kind for kind, secret in secrets if len(secret) >= 8 and secret in output}), [])

    def test_5_expired_session(self):
        before = lab("GET", "/_lab/lifetimes")
        self.addCleanup(lab, "POST", "/_lab/lifetimes", before)
        self.addCleanup(lab, "POST", "/_lab/clock", {"offset_seconds": 0})
        # Sign in two hours ago (by the lab's clock) to a session whose refresh token lasts an hour. atmos keeps time
        # by this machine's clock, so the access token lives one second: both clocks then agree it has expired.
        lab("POST", "/_lab/clock", {"offset_seconds": -7200})
        lab("POST", "/_lab/lifetimes", {"sso_access_token": 1, "sso_refresh_token": 3600})
        actor = self.developer("expired")
        actor.ok("auth", "login", "--provider", "acme-sso")
        lab("POST", "/_lab/lifetimes", before)
        time.sleep(1.5)
        lab("POST", "/_lab/clock", {"offset_seconds": 0})
        ci = actor.atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", CI="true")
        self.assertEqual(ci.returncode, 2, describe(ci))
        self.assertIn("The IAM Identity Center session for https://acme.awsapps.com/start has expired", ci.stderr)
        self.assertIn("Run `atmos auth login --identity plat-dev/terraform` in a terminal", ci.stderr)
        p = actor.ok("terraform", "plan", "vpc", "-s", "plat-use2-dev", "-no-color", terminal=True)
        self.assertIn("Verification Code", p.stderr)
        self.assertRegex(p.stdout, r"Plan: \d+ to add, \d+ to change, \d+ to destroy")

    def test_6_session_rejected_by_aws(self):
        # The lab moves nine hours ahead, so AWS rejects the cached SSO token that atmos (on this machine's clock)
        # still trusts: atmos forgets it and signs in again — in CI it stops with the command to run.
        self.addCleanup(lab, "POST", "/_lab/clock", {"offset_seconds": 0})
        actor = self.developer("rejected")
        actor.ok("auth", "login", "--provider", "acme-sso")
        lab("POST", "/_lab/clock", {"offset_seconds": 32400})
        ci = actor.atmos("terraform", "plan", "vpc", "-s", "plat-use2-sandbox", CI="true")
        self.assertEqual(ci.returncode, 2, describe(ci))
        self.assertIn("atmos auth login", ci.stderr)
        # Outside CI the same situation runs the device flow (Terraform itself would now fail the lab's clock-skew
        # check, so signing in is shown with `auth login`).
        p = actor.ok("auth", "login", "--identity", "plat-sandbox/terraform")
        self.assertIn("Verification Code", p.stderr)
        self.assertIn("Authentication successful", p.stderr)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
