#!/usr/bin/env python3
"""Which identity `atmos terraform` runs as, and how it says so (no AWS needed: dry runs and errors).
Run: test_terraform_identity.py BINARY"""
import os
import pty
import shutil
import subprocess
import sys
import tempfile
import unittest

BINARY = None
ACME = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "acme")


class TerraformIdentity(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="atmos-tfid-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.repo = os.path.join(self.tmp, "acme")
        shutil.copytree(ACME, self.repo)

    def atmos(self, *args, **env):
        e = {"PATH": os.environ.get("PATH", ""), "HOME": os.path.join(self.tmp, "home"), "ATMOS_GIT_ROOT_BASEPATH": "false",
             "XDG_CONFIG_HOME": os.path.join(self.tmp, "config"), "XDG_CACHE_HOME": os.path.join(self.tmp, "cache"),
             "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost", "CI": "true"}
        e.update(env)
        return subprocess.run([BINARY, *args], cwd=self.repo, env=e, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=120)

    def test_stack_default_from_its_defaults_file_is_announced(self):
        p = self.atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", "--dry-run", ATMOS_PROFILE="developers")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Would run as plat-dev/terraform (stack default from stacks/orgs/acme/plat/dev/_defaults.yaml), "
                      "account plat-dev, profile developers", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_default_never_leaks_into_another_stack(self):
        p = self.atmos("terraform", "plan", "vpc", "-s", "core-use2-auto", "--dry-run", ATMOS_PROFILE="developers")
        self.assertIn("Would run as core-auto/terraform (stack default from stacks/orgs/acme/core/auto/_defaults.yaml)",
                      p.stderr)

    def test_flag_beats_environment_beats_stack_default(self):
        p = self.atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", "--dry-run", "--identity", "plat-prod/terraform",
                       ATMOS_PROFILE="devops", ATMOS_IDENTITY="core-auto/terraform")
        self.assertIn("Would run as plat-prod/terraform (--identity flag), account plat-prod, profile devops", p.stderr)
        p = self.atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", "--dry-run",
                       ATMOS_PROFILE="devops", ATMOS_IDENTITY="core-auto/terraform")
        self.assertIn("Would run as core-auto/terraform (ATMOS_IDENTITY)", p.stderr)

    def test_false_disables_authentication(self):
        for args, env in ((["--identity=false"], {}), ([], {"ATMOS_IDENTITY": "off"})):
            p = self.atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", "--dry-run", *args, ATMOS_PROFILE="developers", **env)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertNotIn("run as", p.stderr)

    def test_stack_default_missing_from_the_profile_names_the_files(self):
        p = self.atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", "--dry-run")
        self.assertEqual(p.returncode, 1)
        self.assertIn("**Error:** invalid identity config", p.stderr)
        self.assertIn('Component default identity "plat-dev/terraform" (set in stacks/orgs/acme/plat/dev/_defaults.yaml) '
                      "is not defined in the active global auth configuration", p.stderr)

    def test_profiles_that_define_a_missing_identity_are_named(self):
        p = self.atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", "--dry-run")
        self.assertIn("Identity `plat-dev/terraform` is defined in profiles developers, devops, github-apply, github-plan, "
                      "managers, superadmin: re-run with --profile developers", p.stderr)
        p = self.atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", "--dry-run", "-i", "plat-dev/root",
                       ATMOS_PROFILE="developers")
        self.assertIn("Identity `plat-dev/root` is defined in profile managers: re-run with --profile managers", p.stderr)
        p = self.atmos("auth", "whoami", "--identity", "plat-dev/root", ATMOS_PROFILE="developers")
        self.assertEqual(p.returncode, 1)
        self.assertIn("Identity `plat-dev/root` is defined in profile managers", p.stderr)

    def test_unknown_identity_lists_what_the_profile_defines(self):
        p = self.atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", "--dry-run", "-i", "plat-dev/terrafrom",
                       ATMOS_PROFILE="developers")
        self.assertEqual(p.returncode, 1)
        self.assertIn("**Error:** identity not found", p.stderr)
        self.assertIn("profiles/developers/atmos.yaml", p.stderr)
        self.assertIn("  - core-auto/terraform", p.stderr)
        self.assertIn("Did you mean `plat-dev/terraform`?", p.stderr)

    def test_bare_identity_flag_without_a_terminal(self):
        p = self.atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", "--dry-run", "--identity", ATMOS_PROFILE="developers")
        self.assertEqual(p.returncode, 1)
        self.assertIn("interactive identity selection: requires a TTY", p.stderr)


    def on_terminal(self, args, answer, **env):
        """Runs atmos with a pseudo-terminal as its controlling terminal; types `answer` at the first prompt."""
        e = {"PATH": os.environ.get("PATH", ""), "HOME": os.path.join(self.tmp, "home"), "ATMOS_GIT_ROOT_BASEPATH": "false",
             "XDG_CONFIG_HOME": os.path.join(self.tmp, "config"), "XDG_CACHE_HOME": os.path.join(self.tmp, "cache"),
             "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost", "TERM": "dumb"}
        e.update(env)
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(self.repo)
            os.execve(BINARY, [BINARY, *args], e)
        out, answered = b"", False
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            if not answered and b"Number" in out:
                os.write(fd, answer.encode() + b"\n")
                answered = True
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status), out.decode(errors="replace")

    def test_bare_identity_flag_on_a_terminal_offers_every_identity(self):
        code, out = self.on_terminal(["terraform", "plan", "vpc", "-s", "plat-use2-dev", "--dry-run", "--identity"], "2",
                                     ATMOS_PROFILE="developers")
        self.assertEqual(code, 0, out)
        self.assertIn("Select an identity:", out)
        self.assertIn("Would run as core-auto/terraform (selected interactively)", out)

    def test_two_stack_defaults_on_a_terminal_prompt_between_them(self):
        defaults = os.path.join(self.repo, "stacks", "orgs", "acme", "plat", "dev", "_defaults.yaml")
        with open(defaults, "a") as f:
            f.write("    plat-prod/terraform:\n      default: true\n")
        code, out = self.on_terminal(["terraform", "plan", "vpc", "-s", "plat-use2-dev", "--dry-run"], "2",
                                     ATMOS_PROFILE="developers")
        self.assertEqual(code, 0, out)
        self.assertIn("Multiple default identities found. Please choose one:", out)
        self.assertIn("Would run as plat-prod/terraform (selected interactively)", out)
        p = self.atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", "--dry-run", ATMOS_PROFILE="developers")
        self.assertEqual(p.returncode, 1)
        self.assertIn("multiple default identities found: `[plat-dev/terraform plat-prod/terraform]`", p.stderr)
        self.assertIn("plat-prod/terraform (set in stacks/orgs/acme/plat/dev/_defaults.yaml)", p.stderr)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
