#!/usr/bin/env python3
"""Custom commands (`commands:`) and aliases (`aliases:`) of atmos.yaml without AWS: arguments, flags, env,
templated steps, component_config, nesting, help and completion, and every way a definition or an invocation
can be wrong. The identity part runs against the lab in tests/e2e/commands.
Run: test_custom_commands.py BINARY"""
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

BINARY = None

ATMOS_YAML = """
base_path: .
stacks:
  base_path: stacks
  included_paths: ["*.yaml"]
  name_template: "{{ .vars.stage }}"
components:
  terraform:
    base_path: components/terraform
env:
  FROM_GLOBAL_ENV: global
aliases:
  ls: list stacks
  hi: greet Bob
  loop1: loop2
  loop2: loop1
commands:
  - name: greet
    description: |-
      Greets someone
      (second line of the description)
    arguments:
      - name: name
        description: Name to greet
        default: John Doe
    flags:
      - name: loud
        shorthand: l
        type: bool
        description: Shout
      - name: color
        description: A color
        values: [red, green]
        default: red
    env:
      - key: GREETING
        value: "Hello {{ .Arguments.name }}"
      - key: COMPUTED
        valueCommand: echo computed-{{ .Flags.color }}
    steps:
      - 'echo "$GREETING{{ if .Flags.loud }}!!!{{ end }} color={{ .Flags.color }} $COMPUTED $FROM_GLOBAL_ENV trailing=[{{ .TrailingArgs }}]"'
  - name: show
    description: Show component info
    commands:
      - name: component
        description: Show one component in one stack
        arguments:
          - name: component
            description: The component
            required: true
        flags:
          - name: stack
            shorthand: s
            description: The stack
            required: true
        component_config:
          component: "{{ .Arguments.component }}"
          stack: "{{ .Flags.stack }}"
        steps:
          - 'echo "cidr={{ .ComponentConfig.vars.cidr }} workspace={{ .ComponentConfig.workspace }}"'
          - type: atmos
            command: list stacks
  - name: ops db migrate
    description: A command from a path-based name
    working_directory: components
    steps:
      - pwd
  - name: fail
    description: The second step fails, the third never runs
    steps:
      - echo first
      - exit 7
      - echo never
  - name: late
    description: A template error in a later step runs nothing
    steps:
      - echo should-not-run
      - "{{ .Nope.x | bogus }}"
  - name: fancy
    description: Uses settings this binary does not support
    dependencies:
      tools: {terraform: "1.9.8"}
    steps: [echo x]
  - name: container
    description: A step type this binary does not run
    steps:
      - type: container
        command: echo x
  - name: terraform
    description: Terraform extras
    commands:
      - name: provision
        description: Plan-like custom terraform subcommand
        arguments:
          - name: component
            description: The component
            required: true
        steps:
          - echo provision {{ .Arguments.component }}
"""

STACK = "vars: {stage: dev, region: us-east-2}\ncomponents: {terraform: {vpc: {vars: {cidr: 10.0.0.0/16}}}}\n"


class CustomCommands(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="atmos-custom-")
        for rel, text in {"atmos.yaml": ATMOS_YAML, "stacks/dev.yaml": STACK, "components/terraform/vpc/main.tf": ""}.items():
            os.makedirs(os.path.dirname(os.path.join(cls.dir, rel)), exist_ok=True)
            with open(os.path.join(cls.dir, rel), "w") as f:
                f.write(textwrap.dedent(text))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, True)

    def run_atmos(self, *args, cwd=None, **env):
        e = {"PATH": os.environ.get("PATH", ""), "HOME": self.dir, "ATMOS_GIT_ROOT_BASEPATH": "false",
             "XDG_CACHE_HOME": os.path.join(self.dir, "cache"), "HTTPS_PROXY": "http://127.0.0.1:9",
             "NO_PROXY": "127.0.0.1,localhost", "CI": "true"}
        e.update(env)
        return subprocess.run([BINARY, *args], cwd=cwd or self.dir, env=e, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=60)

    def ok(self, *args, **kw):
        p = self.run_atmos(*args, **kw)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p

    def test_arguments_flags_env_and_templates(self):
        self.assertEqual(self.ok("greet").stdout,
                         "Hello John Doe color=red computed-red global trailing=[]\n")
        self.assertEqual(self.ok("greet", "Alice", "-l", "--color", "green", "--", "a", "b c").stdout,
                         "Hello Alice!!! color=green computed-green global trailing=[a 'b c']\n")
        self.assertEqual(self.ok("greet", "--loud=false", "Ann").stdout,
                         "Hello Ann color=red computed-red global trailing=[]\n")

    def test_global_flags_before_the_command(self):
        elsewhere = tempfile.mkdtemp(prefix="atmos-custom-cwd-")
        self.addCleanup(shutil.rmtree, elsewhere, True)
        self.assertIn("Hello John Doe", self.ok("-C", self.dir, "greet", cwd=elsewhere).stdout)
        self.assertIn("Hello John Doe", self.ok("--config-path", self.dir, "greet", cwd=elsewhere).stdout)
        # Without a configuration the command does not exist.
        p = self.run_atmos("greet", cwd=elsewhere)
        self.assertEqual(p.returncode, 1)
        self.assertIn('unknown command "greet" for "atmos"', p.stderr)

    def test_component_config_and_nested_commands(self):
        p = self.ok("show", "component", "vpc", "-s", "dev")
        self.assertEqual(p.stdout, "cidr=10.0.0.0/16 workspace=dev\ndev\n")
        p = self.run_atmos("show", "component", "nope", "-s", "dev")
        self.assertEqual(p.returncode, 1)
        self.assertIn("nope", p.stderr)
        self.assertEqual(self.ok("ops", "db", "migrate").stdout.strip(), os.path.join(os.path.realpath(self.dir), "components"))

    def test_custom_subcommand_of_a_builtin(self):
        self.assertEqual(self.ok("terraform", "provision", "vpc").stdout, "provision vpc\n")
        # The built-in subcommands stay.
        p = self.run_atmos("terraform", "plan", "vpc", "-s", "dev", "--dry-run")
        self.assertNotIn("unknown command", p.stderr)
        self.assertIn("provision", self.ok("terraform", "--help").stdout)

    def test_aliases(self):
        self.assertEqual(self.ok("ls").stdout, "dev\n")
        self.assertIn("Hello Bob", self.ok("hi").stdout)
        self.assertIn("Hello Bob!!!", self.ok("hi", "--loud").stdout)
        p = self.run_atmos("loop1")
        self.assertEqual(p.returncode, 1)
        self.assertIn("expands into itself", p.stderr)

    def test_step_failure_stops_and_keeps_the_exit_code(self):
        p = self.run_atmos("fail")
        self.assertEqual(p.returncode, 7)
        self.assertEqual(p.stdout, "first\n")

    def test_template_error_runs_nothing(self):
        p = self.run_atmos("late")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, "")
        self.assertIn("custom command 'late': step 2", p.stderr)
        self.assertIn("bogus", p.stderr)

    def test_unsupported_settings_are_named(self):
        p = self.run_atmos("fancy")
        self.assertEqual(p.returncode, 1)
        self.assertIn("custom command 'fancy' uses settings this atmos does not support: `dependencies`", p.stderr)
        self.assertIn("atmos.yaml", p.stderr)
        self.assertEqual(p.stdout, "")
        p = self.run_atmos("container")
        self.assertEqual(p.returncode, 1)
        self.assertIn('unsupported step type "container"', p.stderr)

    def test_bad_invocations(self):
        cases = [
            (("show", "component", "-s", "dev"), "Command requires at least 1 argument(s) (no defaults provided for them):\n  1. component"),
            (("show", "component", "vpc"), 'required flag(s) "stack" not set'),
            (("greet", "a", "b"), "accepts between 0 and 1 arg(s), received 2"),
            (("greet", "--color", "blue"), 'invalid value "blue" for flag --color (valid values: red, green)'),
            (("greet", "--colour", "red"), "unknown flag: --colour"),
            (("ops", "db", "migrate", "extra"), 'unknown command "extra" for "atmos ops db migrate"'),
            (("ops", "nope"), 'unknown command "nope" for "atmos ops"'),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                p = self.run_atmos(*args)
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertIn(message, p.stderr)
                self.assertEqual(p.stdout, "")

    def test_group_without_steps_shows_its_commands(self):
        p = self.run_atmos("ops")
        self.assertEqual(p.returncode, 1)
        self.assertIn("Available Commands:\n  db ", p.stderr)

    def test_help_and_completion(self):
        root = self.ok("--help").stdout
        self.assertRegex(root, r"\n  greet +Greets someone\n")
        self.assertRegex(root, r"\n  ls +alias for `list stacks`\n")
        self.assertRegex(root, r"\n  show +Show component info\n")
        text = self.ok("greet", "--help").stdout
        self.assertIn("Usage:\n  atmos greet [name] [flags]", text)
        self.assertRegex(text, r"-l, --loud +Shout")
        self.assertRegex(text, r"--color string +A color \(default \"red\"\)")
        self.assertIn("--identity string", text)
        self.assertEqual(self.ok("help", "greet").stdout, text)
        text = self.ok("show", "component", "-h").stdout
        self.assertIn("atmos show component <component> [flags]", text)
        self.assertIn("Examples:\n  atmos show component <component> --stack <stack>", text)
        self.assertIn("greet", self.ok("__complete", "").stdout.split())
        self.assertIn("ls", self.ok("__complete", "l").stdout.split())
        self.assertIn("--loud", self.ok("__complete", "greet", "-").stdout.split())
        self.assertIn("provision", self.ok("__complete", "terraform", "").stdout.split())
        # Every flag the help lists is accepted by the command.
        for path in (["greet"], ["show", "component"]):
            text = self.ok(*path, "--help").stdout
            for line in text.split("\nFlags:\n")[1].split("\n\n")[0].splitlines():
                name = line.split("--")[1].split()[0]
                if name == "help":
                    continue
                p = self.run_atmos(*path, "--" + name + ("=x" if " string" in line else ""))
                self.assertNotIn("unknown flag", p.stderr)

    def test_malformed_definitions_name_the_file(self):
        bad = os.path.join(self.dir, "bad")
        os.makedirs(bad, exist_ok=True)
        cases = [
            ("commands: {a: b}\n", "`commands` must be a list"),
            ("commands:\n  - description: no name\n", "a custom command needs a `name`"),
            ("commands:\n  - name: x\n    steps: 3\n", "custom command 'x': `steps` must be a list"),
            ("commands:\n  - name: x\n    flags: [{name: stack, shorthand: C}]\n", "conflicts with the global flag --chdir"),
            ("commands:\n  - name: x\n    flags: [{name: a, type: int}]\n", "flag type 'int' is not supported"),
            ("commands:\n  - name: x\n    env: [{key: A, value: a, valueCommand: b}]\n", "either 'value' or 'valueCommand'"),
            ("aliases: [a]\n", "`aliases` must be a map"),
        ]
        for text, message in cases:
            with self.subTest(text=text):
                with open(os.path.join(bad, "atmos.yaml"), "w") as f:
                    f.write(text)
                p = self.run_atmos("version", cwd=bad)
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertIn(os.path.join(bad, "atmos.yaml"), p.stderr)
                self.assertIn(message, p.stderr)
        with open(os.path.join(bad, "atmos.yaml"), "w") as f:
            f.write("commands:\n" + "".join("  " * (2 * i + 1) + "- name: n\n" + "  " * (2 * i + 2) + "commands:\n" for i in range(20)))
        p = self.run_atmos("version", cwd=bad)
        self.assertEqual(p.returncode, 1)
        self.assertIn("nested more than 16 levels", p.stderr)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main()
