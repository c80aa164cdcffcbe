#!/usr/bin/env python3
"""Help and shell completion as a person meets them: every node of the command tree (found by walking
`atmos --help`'s "Available Commands") answers -h, --help and `atmos help …` with usage, flags, global flags and
examples; every flag the help lists is one the command accepts; bash's own completion machinery completes
commands, components, stacks, identities, providers and profiles from examples/acme, and sees edits at once.
Run: test_help.py BINARY"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

BINARY = None
HERE = os.path.dirname(os.path.abspath(__file__))
ACME = os.path.join(HERE, "..", "..", "examples", "acme")


def base_env(home):
    return {"PATH": os.environ.get("PATH", ""), "HOME": home, "XDG_CACHE_HOME": os.path.join(home, "cache"),
            "ATMOS_GIT_ROOT_BASEPATH": "false", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost",
            "CI": "true"}


class HelpTree(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.home = tempfile.mkdtemp(prefix="atmos-help-")
        cls.env = base_env(cls.home)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.home, True)

    def run_atmos(self, *args):
        return subprocess.run([BINARY, *args], cwd=self.home, env=self.env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=30)

    def walk(self):
        """Every command path, from the root's help down."""
        todo, seen = [[]], []
        while todo:
            path = todo.pop(0)
            seen.append(path)
            text = self.run_atmos(*path, "--help").stdout
            section = re.search(r"\nAvailable Commands:\n((?:  \S.*\n)+)", text)
            for line in (section.group(1).splitlines() if section else []):
                todo.append(path + [line.split()[0]])
        return seen

    def test_every_node_answers_help(self):
        nodes = self.walk()
        self.assertGreater(len(nodes), 40)
        for path in nodes:
            name = " ".join(path)
            with self.subTest(command=name):
                long = self.run_atmos(*path, "--help")
                self.assertEqual(long.returncode, 0, long.stderr)
                self.assertEqual(long.stderr, "")
                text = long.stdout
                self.assertRegex(text, r"^\S.*\n\nUsage:\n  atmos " + re.escape(name))
                self.assertIn("\nFlags:\n", text)
                self.assertRegex(text, r"  -h, --help +help for ")
                self.assertIn("\nGlobal Flags:\n", text)
                self.assertIn("--logs-level string", text)
                examples = re.search(r"\nExamples:\n((?:  .*\n)+)", text)
                self.assertIsNotNone(examples, "no examples")
                self.assertTrue(all("atmos" in e for e in examples.group(1).splitlines()), examples.group(1))
                self.assertEqual(self.run_atmos(*path, "-h").stdout, text)
                self.assertEqual(self.run_atmos("help", *path).stdout, text)
                # Help wherever the flag stands, also after positionals (a component name).
                if path and path[0] == "terraform" and len(path) == 2 and path[1] != "generate":
                    self.assertEqual(self.run_atmos(*path, "vpc", "-s", "dev", "--help").stdout, text)

    def test_every_listed_flag_is_accepted(self):
        for path in self.walk():
            text = self.run_atmos(*path, "--help").stdout
            flags = re.search(r"\nFlags:\n((?:.*\n)+?)\n", text).group(1)
            for line in flags.splitlines():
                match = re.match(r"\s+(?:-(\w), )?--([\w-]+)( \w+)?", line)
                name, value = match.group(2), match.group(3)
                if name == "help":
                    continue
                with self.subTest(command=" ".join(path), flag=name):
                    p = self.run_atmos(*path, f"--{name}=x" if value else f"--{name}")
                    self.assertNotIn("unknown flag", p.stderr)
                    self.assertNotIn("unknown shorthand", p.stderr)

    def test_unknown_flags_and_commands_point_to_help(self):
        p = self.run_atmos("terraform", "plan", "vpc", "-s", "dev", "--dry-rn")
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown flag: --dry-rn", p.stderr)
        self.assertIn("Did you mean --dry-run?", p.stderr)
        self.assertIn("Run 'atmos terraform plan --help' for usage.", p.stderr)
        p = self.run_atmos("describe", "stackz")
        self.assertEqual(p.returncode, 1)
        self.assertIn("Did you mean stacks?", p.stderr)
        self.assertIn("Run 'atmos describe --help' for usage.", p.stderr)
        p = self.run_atmos("help", "terraformm")
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown help topic \"terraformm\"", p.stderr)
        self.assertIn("Did you mean terraform?", p.stderr)
        p = self.run_atmos("completion", "tcsh")
        self.assertEqual(p.returncode, 1)
        self.assertIn("Valid shells are bash, zsh, fish and powershell", p.stderr)

    def test_completion_scripts(self):
        for shell, marker in (("bash", "complete -o nosort -F __atmos_complete atmos"), ("zsh", "#compdef atmos"),
                              ("fish", "complete -c atmos"), ("powershell", "Register-ArgumentCompleter")):
            p = self.run_atmos("completion", shell)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(marker, p.stdout)
            self.assertIn("__complete", p.stdout)


class BashCompletion(unittest.TestCase):
    """The generated script under bash's real completion machinery (`complete -p`, COMP_WORDS, COMPREPLY)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="atmos-complete-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.repo = os.path.join(self.tmp, "acme")
        shutil.copytree(ACME, self.repo, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", "*.tfvars.json", "backend.tf.json"))
        bindir = os.path.join(self.tmp, "bin")
        os.makedirs(bindir)
        os.symlink(BINARY, os.path.join(bindir, "atmos"))
        self.env = base_env(self.tmp)
        self.env["PATH"] = bindir + ":" + self.env["PATH"]
        self.script = os.path.join(self.tmp, "atmos.bash")
        with open(self.script, "w") as f:
            f.write(subprocess.run([BINARY, "completion", "bash"], capture_output=True, text=True, check=True).stdout)

    def complete(self, line, **env):
        """What Tab offers at the end of `line` (a trailing space means a new, empty word)."""
        words = line.split()
        if line.endswith(" "):
            words.append("")
        quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
        program = (f"source {self.script}\n"
                   "complete -p atmos >/dev/null || exit 3\n"
                   f"COMP_WORDS=({quoted}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}\n"
                   "$(complete -p atmos | sed -E 's/.* -F ([^ ]+) .*/\\1/') atmos \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\n"
                   "printf '%s\\n' \"${COMPREPLY[@]}\"\n")
        e = dict(self.env, **env)
        p = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], cwd=self.repo, env=e, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return [w for w in p.stdout.splitlines() if w]

    def test_commands_and_subcommands(self):
        self.assertIn("terraform", self.complete("atmos "))
        self.assertEqual(self.complete("atmos des"), ["describe"])
        self.assertEqual(self.complete("atmos describe "), ["affected", "component", "config", "dependents", "locals", "stacks", "workflows"])
        self.assertIn("plan", self.complete("atmos terraform "))
        self.assertIn("--stack", self.complete("atmos terraform plan vpc --st"))

    def test_components_filtered_by_stack_and_stacks_by_component(self):
        self.assertEqual(self.complete("atmos terraform plan "), ["dns-zone", "tgw", "vpc"])
        self.assertIn("tgw", self.complete("atmos terraform plan -s core-use2-network "))
        self.assertNotIn("tgw", self.complete("atmos terraform plan -s plat-use2-dev "))
        self.assertIn("plat-use2-dev", self.complete("atmos terraform plan vpc -s "))
        self.assertEqual(self.complete("atmos terraform plan vpc -s plat-use2-d"), ["plat-use2-dev"])
        self.assertEqual(self.complete("atmos describe component vpc --stack=plat-use2-s"), ["--stack=plat-use2-sandbox",
                                                                                             "--stack=plat-use2-staging"])

    def test_identities_providers_profiles(self):
        self.assertEqual(self.complete("atmos --profile "),
                         ["developers", "devops", "github-apply", "github-plan", "managers", "superadmin"])
        self.assertIn("plat-dev/terraform", self.complete("atmos --profile developers auth login --identity plat-dev"))
        self.assertIn("plat-dev/terraform", self.complete("atmos auth whoami --identity plat-", ATMOS_PROFILE="developers"))
        self.assertEqual(self.complete("atmos auth login --provider "), ["acme-sso"])

    def test_edits_are_seen_at_once(self):
        before = self.complete("atmos list stacks -s ")
        self.assertNotIn("plat-use2-qa", before)
        qa = os.path.join(self.repo, "stacks", "orgs", "acme", "plat", "qa")
        os.makedirs(qa)
        with open(os.path.join(self.repo, "stacks", "orgs", "acme", "plat", "dev", "us-east-2.yaml")) as f:
            text = f.read()
        with open(os.path.join(qa, "us-east-2.yaml"), "w") as f:
            f.write(text.replace("../_defaults", "../_defaults").replace("dev/_defaults", "qa/_defaults"))
        shutil.copy(os.path.join(self.repo, "stacks", "orgs", "acme", "plat", "dev", "_defaults.yaml"), os.path.join(qa, "_defaults.yaml"))
        with open(os.path.join(qa, "_defaults.yaml")) as f:
            defaults = f.read().replace("stage: dev", "stage: qa")
        with open(os.path.join(qa, "_defaults.yaml"), "w") as f:
            f.write(defaults)
        self.assertIn("plat-use2-qa", self.complete("atmos list stacks -s "))
        shutil.rmtree(qa)
        self.assertEqual(self.complete("atmos list stacks -s "), before)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
