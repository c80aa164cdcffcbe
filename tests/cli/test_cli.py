#!/usr/bin/env python3
"""Black-box checks of build/atmos: what a person sees for bad input (every bad input gets a clear error) and the
example repository's output. Run: test_cli.py BINARY"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

BINARY = None
HERE = os.path.dirname(os.path.abspath(__file__))
ACME = os.path.join(HERE, "..", "..", "examples", "acme")

ATMOS_YAML = textwrap.dedent("""\
    base_path: ./
    components:
      terraform:
        base_path: components/terraform
    stacks:
      base_path: stacks
      included_paths: ["orgs/**/*"]
      excluded_paths: ["**/_defaults.yaml"]
      name_template: "{{ .vars.tenant }}-{{ .vars.stage }}"
    """)


class Repo:
    def __init__(self, files):
        self.dir = tempfile.mkdtemp(prefix="atmos-cli-")
        files = {"atmos.yaml": ATMOS_YAML, **files}
        for rel, text in files.items():
            path = os.path.join(self.dir, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(textwrap.dedent(text))

    def run(self, *args, env=None, cwd=None):
        e = {"PATH": os.environ.get("PATH", ""), "HOME": self.dir, "ATMOS_GIT_ROOT_BASEPATH": "false",
             "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost"}
        e.update(env or {})
        return subprocess.run([BINARY, *args], cwd=cwd or self.dir, env=e, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=60)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


GOOD_STACKS = {
    "stacks/orgs/acme/dev.yaml": "vars: {tenant: acme, stage: dev}\ncomponents: {terraform: {vpc: {vars: {a: 1}}}}\n",
    "stacks/orgs/acme/prod.yaml": "vars: {tenant: acme, stage: prod}\ncomponents: {terraform: {vpc: {vars: {a: 2}}}}\n",
}


class BadInput(unittest.TestCase):
    def repo(self, files):
        r = Repo(files)
        self.addCleanup(r.close)
        return r

    def test_malformed_yaml_names_file_line_and_column(self):
        r = self.repo({"stacks/orgs/acme/dev.yaml": "vars:\n  tenant: acme\n   stage: dev\n"})
        p = r.run("describe", "stacks")
        self.assertEqual(p.returncode, 1)
        self.assertIn("**Error:** invalid stack manifest 'orgs/acme/dev'", p.stderr)
        self.assertIn("stacks/orgs/acme/dev.yaml:3:9: yaml: line 3: mapping values are not allowed in this context",
                      p.stderr)
        self.assertEqual(p.stdout, "")

    def test_template_error_names_manifest_component_and_stack(self):
        r = self.repo({"atmos.yaml": ATMOS_YAML + "templates:\n  settings:\n    enabled: true\n",
                       "components/terraform/vpc/main.tf": "",
                       "stacks/orgs/acme/dev.yaml": "vars: {tenant: acme, stage: dev}\n"
                                                    "components: {terraform: {vpc: {vars: {a: '{{ .vars.stage | nosuch }}'}}}}\n"})
        for args in (("describe", "component", "vpc", "-s", "acme-dev"), ("describe", "stacks"),
                     ("terraform", "generate", "varfile", "vpc", "-s", "acme-dev")):
            p = r.run(*args)
            self.assertEqual(p.returncode, 1, args)
            self.assertIn("failed to process templates of component 'vpc' in stack 'acme-dev' (manifest '" +
                          os.path.join(r.dir, "stacks/orgs/acme/dev.yaml") + "'): template: component:1: "
                          'function "nosuch" not defined', p.stderr)
        self.assertFalse(os.path.exists(os.path.join(r.dir, "components/terraform/vpc/acme-dev-vpc.terraform.tfvars.json")))

    def test_missing_import_names_the_importer(self):
        r = self.repo({"stacks/orgs/acme/dev.yaml": "import: [catalog/missing]\n"})
        p = r.run("list", "stacks")
        self.assertEqual(p.returncode, 1)
        self.assertIn("stack import not found", p.stderr)
        self.assertIn("import 'catalog/missing' in file 'orgs/acme/dev'", p.stderr)

    def test_import_cycle_is_printed(self):
        r = self.repo({"stacks/orgs/acme/dev.yaml": "import: [catalog/a]\n",
                       "stacks/catalog/a.yaml": "import: [catalog/b]\n",
                       "stacks/catalog/b.yaml": "import: [catalog/a]\n"})
        p = r.run("describe", "stacks")
        self.assertEqual(p.returncode, 1)
        self.assertIn("import cycle detected", p.stderr)
        self.assertIn("catalog/a -> catalog/b -> catalog/a", p.stderr)

    def test_unknown_stack_suggests_the_closest(self):
        r = self.repo(GOOD_STACKS)
        p = r.run("describe", "component", "vpc", "-s", "acme-prd")
        self.assertEqual(p.returncode, 1)
        self.assertIn("Did you mean stack `acme-prod`?", p.stderr)
        p = r.run("describe", "component", "vcp", "-s", "acme-prod")
        self.assertIn("Did you mean component `vpc`?", p.stderr)

    def test_unknown_profile_lists_available_and_exits_2(self):
        r = self.repo({**GOOD_STACKS, "profiles/devops/atmos.yaml": "{}\n", "profiles/managers/atmos.yaml": "{}\n"})
        p = r.run("list", "stacks", env={"ATMOS_PROFILE": "developers"})
        self.assertEqual(p.returncode, 2)
        self.assertIn("profile not found", p.stderr)
        self.assertIn("Available profiles are: devops, managers", p.stderr)

    def test_unknown_flag_and_missing_stack(self):
        r = self.repo(GOOD_STACKS)
        p = r.run("describe", "stacks", "--bogus")
        self.assertEqual((p.returncode, "unknown flag: --bogus" in p.stderr), (1, True))
        p = r.run("describe", "component", "vpc")
        self.assertEqual(p.returncode, 1)
        self.assertIn("stack is required; specify it on the command line using the flag --stack <stack> (shorthand -s)",
                      p.stderr)

    def test_unknown_command_suggests(self):
        r = self.repo(GOOD_STACKS)
        p = r.run("descibe", "stacks")
        self.assertEqual(p.returncode, 1)
        self.assertIn("Did you mean describe?", p.stderr)

    def test_no_stacks_is_not_an_error(self):
        r = self.repo({"stacks/orgs/.keep": ""})
        p = r.run("list", "stacks")
        self.assertEqual(p.returncode, 0)
        self.assertIn("No stacks found", p.stderr)

    def test_section_of_the_wrong_type_fails_with_upstreams_error(self):
        cases = [
            ("vars: [1, 2]\n", "invalid vars section in file 'orgs/acme/dev'"),
            ("vars: {tenant: acme, stage: dev}\ncomponents: x\n", "invalid components section in file 'orgs/acme/dev'"),
            ("vars: {tenant: acme, stage: dev}\nsettings:\n", "invalid settings section in file 'orgs/acme/dev'"),
            ("terraform: {backend: [s3]}\n", "invalid terraform.backend section in file 'orgs/acme/dev'"),
            ("components: {terraform: x}\n", "invalid components.terraform section in file 'orgs/acme/dev'"),
            ("components: {terraform: {vpc: 1}}\n", "invalid component map type for component vpc"),
            ("components: {terraform: {vpc: {vars: [1]}}}\n",
             "invalid component vars section: 'components.terraform.vpc.vars' in the file 'orgs/acme/dev'"),
            ("components: {terraform: {vpc: {metadata: x}}}\n",
             "invalid component metadata section: 'components.terraform.vpc.metadata' in the file 'orgs/acme/dev'"),
            ("components: {terraform: {vpc: {overrides: {env: 1}}}}\n",
             "invalid component overrides env section: 'components.terraform.vpc.overrides.env' in the manifest 'orgs/acme/dev'"),
            ("overrides: 1\n", "invalid overrides section in the stack manifest 'orgs/acme/dev.yaml'"),
            ("auth: x\n", "invalid auth section in file 'orgs/acme/dev'"),
            ("terraform: {providers: x}\n", "invalid terraform providers section in file 'orgs/acme/dev'"),
        ]
        for text, want in cases:
            r = self.repo({"stacks/orgs/acme/dev.yaml": text})
            p = r.run("describe", "stacks")
            self.assertEqual(p.returncode, 1, text)
            self.assertIn(want, p.stderr, text)

    def test_describe_stacks_workspace_follows_upstreams_describe_stacks_rule(self):
        # internal/exec/describe_stacks_component_processor.go: no component in the workspace context, the
        # name-pattern context only when the stack name comes from name_pattern.
        stack = ("vars: {tenant: acme, stage: dev}\ncomponents:\n  terraform:\n"
                 "    base: {metadata: {type: abstract}, vars: {a: 1}}\n"
                 "    vpc: {component: base, metadata: {terraform_workspace_pattern: '{tenant}-{stage}-{component}'}}\n"
                 "    eks: {component: base}\n")
        pattern_cfg = ATMOS_YAML.replace('name_template: "{{ .vars.tenant }}-{{ .vars.stage }}"', 'name_pattern: "{tenant}-{stage}"')
        for cfg, want_vpc in ((pattern_cfg, "acme-dev-"), (ATMOS_YAML, "--")):
            r = self.repo({"atmos.yaml": cfg, "stacks/orgs/acme/dev.yaml": stack})
            p = r.run("describe", "stacks", "--format", "json")
            self.assertEqual(p.returncode, 0, p.stderr)
            comps = json.loads(p.stdout)["acme-dev"]["components"]["terraform"]
            self.assertEqual(comps["vpc"]["workspace"], want_vpc)
            self.assertEqual(comps["eks"]["workspace"], "acme-dev")
            # terraform and describe component keep their rule: the component is appended after a base.
            p = r.run("describe", "component", "eks", "-s", "acme-dev", "-q", ".workspace")
            self.assertEqual(p.stdout.strip(), "acme-dev-eks", p.stderr)

    def test_validate_reports_every_failing_manifest(self):
        r = self.repo({**GOOD_STACKS, "stacks/orgs/acme/bad1.yaml": "vars: [1]\n",
                       "stacks/orgs/acme/bad2.yaml": "components: {terraform: {vpc: {env: x}}}\n"})
        p = r.run("validate", "stacks")
        self.assertEqual(p.returncode, 1)
        self.assertIn("invalid vars section in file 'orgs/acme/bad1'", p.stderr)
        self.assertIn("invalid component env section: 'components.terraform.vpc.env' in the file 'orgs/acme/bad2'", p.stderr)

    def test_missing_configuration_is_an_error(self):
        r = self.repo({})
        os.remove(os.path.join(r.dir, "atmos.yaml"))
        for args in (("describe", "stacks"), ("validate", "stacks"), ("list", "stacks")):
            p = r.run(*args)
            self.assertEqual(p.returncode, 1, args)
            self.assertIn("directory for Atmos stacks does not exist", p.stderr)
            self.assertIn("The atmos.yaml CLI config file was not found.", p.stderr)
            self.assertIn("The default Atmos stacks directory is set to stacks", p.stderr)
            self.assertEqual(p.stdout, "")

    def test_wrong_typed_atmos_yaml_sections(self):
        for text, want in (("stacks: hello\n", "'stacks' expected a map or struct, got \"string\""),
                           ("components: [1]\n", "'components' expected a map or struct, got \"slice\"")):
            r = self.repo({"atmos.yaml": text, **GOOD_STACKS})
            p = r.run("describe", "stacks")
            self.assertEqual(p.returncode, 1, text)
            self.assertIn("decoding failed due to the following error(s):", p.stderr)
            self.assertIn(want, p.stderr)

    def test_validate_reports_schema_errors(self):
        r = self.repo({**GOOD_STACKS, "stacks/orgs/acme/bad.yaml": "vars: [not, a, map]\n"})
        p = r.run("validate", "stacks")
        self.assertEqual(p.returncode, 1)
        self.assertIn("Atmos manifest JSON Schema validation error in the file 'orgs/acme/bad.yaml'", p.stderr)
        r2 = self.repo(GOOD_STACKS)
        p = r2.run("validate", "stacks")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("All stacks validated successfully", p.stderr)


TAGGED_AUTH = """
auth:
  providers:
    sso: {kind: aws/iam-identity-center, start_url: "https://x.awsapps.com/start", region: us-east-1}
  identities:
    dev/admin: {kind: aws/permission-set, via: {provider: sso}, principal: {name: Admin, account: {id: "1"}}, tags: [dev, admin]}
    prod/admin: {kind: aws/permission-set, via: {provider: sso}, principal: {name: Admin, account: {id: "2"}}, tags: [prod, admin]}
    prod/read: {kind: aws/permission-set, via: {provider: sso}, principal: {name: Read, account: {id: "2"}}, tags: [prod]}
"""


class AuthTags(unittest.TestCase):
    def setUp(self):
        self.repo = Repo({})
        self.addCleanup(self.repo.close)
        with open(os.path.join(self.repo.dir, "atmos.yaml"), "a") as f:
            f.write(TAGGED_AUTH)

    def test_list_filters_by_tag(self):
        p = self.repo.run("auth", "list", "--tags", "dev", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(json.loads(p.stdout)["identities"]), ["dev/admin"])

    def test_list_graph_formats(self):
        p = self.repo.run("auth", "list", "--format", "graphviz")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('"sso" -> "dev/admin";', p.stdout)
        p = self.repo.run("auth", "list", "--format", "mermaid")
        self.assertIn("graph LR", p.stdout)
        self.assertIn("p0 --> i1", p.stdout)
        p = self.repo.run("auth", "list", "--format", "markdown")
        self.assertIn("| prod/read | aws/permission-set | sso | Read @ 2 |  |", p.stdout)
        p = self.repo.run("auth", "list", "--format", "svg")
        self.assertEqual(p.returncode, 1)
        self.assertIn("unsupported format: svg", p.stderr)

    def test_login_with_unmatched_tags_lists_the_tags(self):
        p = self.repo.run("auth", "login", "--tags", "staging", env={"CI": "true"})
        self.assertEqual(p.returncode, 1)
        self.assertIn("no identities match the specified tags", p.stderr)
        self.assertIn("Available tags: admin, dev, prod", p.stderr)

    def test_login_with_several_matches_needs_a_terminal(self):
        p = self.repo.run("auth", "login", "--tags", "prod", env={"CI": "true"})
        self.assertEqual(p.returncode, 1)
        self.assertIn("interactive identity selection: requires a TTY", p.stderr)
        self.assertIn("prod/admin, prod/read", p.stderr)

    def test_logout_by_tag_dry_run(self):
        p = self.repo.run("auth", "logout", "--tags", "admin", "--dry-run")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Dry run", p.stderr)


class Example(unittest.TestCase):
    def run_acme(self, *args):
        env = {"PATH": os.environ.get("PATH", ""), "HOME": tempfile.gettempdir(), "ATMOS_GIT_ROOT_BASEPATH": "false"}
        return subprocess.run([BINARY, *args], cwd=ACME, env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=60)

    def test_acme_stacks_and_vpc(self):
        p = self.run_acme("list", "stacks")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.split(), ["core-use2-audit", "core-use2-auto", "core-use2-network", "core-use2-root",
                                            "plat-use2-dev", "plat-use2-prod", "plat-use2-sandbox", "plat-use2-staging"])
        p = self.run_acme("describe", "component", "vpc", "-s", "plat-use2-dev", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(HERE, "golden", "acme-vpc-plat-use2-dev.json")) as f:
            self.assertEqual(p.stdout, f.read())
        p = self.run_acme("describe", "component", "dns-zone", "-s", "plat-use2-dev", "-q", ".vars.zone_name")
        self.assertEqual(p.stdout, "dev.plat.acme.example\n")
        p = self.run_acme("describe", "component", "dns-zone", "-s", "plat-use2-dev", "-q", ".vars.zone_name",
                          "--process-templates=false")
        self.assertEqual(p.stdout, "{{ .vars.stage }}.{{ .vars.tenant }}.acme.example\n")


class Version(unittest.TestCase):
    """`atmos version --format json|yaml` (upstream internal/exec/version.go), also from ATMOS_VERSION_FORMAT."""

    def setUp(self):
        self.r = Repo(GOOD_STACKS)
        self.addCleanup(self.r.close)

    def test_formats(self):
        plain = self.r.run("version")
        self.assertEqual(plain.returncode, 0, plain.stderr)
        version = plain.stdout.split()[1]
        p = self.r.run("version", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), {"version": version, "os": "linux", "arch": json.loads(p.stdout)["arch"]})
        self.assertIn(json.loads(p.stdout)["arch"], ("amd64", "arm64"))
        p = self.r.run("version", "--format=yaml")
        self.assertEqual(p.stdout.splitlines()[0], "version: " + version)
        p = self.r.run("version", env={"ATMOS_VERSION_FORMAT": "json"})
        self.assertEqual(json.loads(p.stdout)["version"], version)
        p = self.r.run("version", "--format", "xml")
        self.assertEqual(p.returncode, 2)
        self.assertIn("invalid version output format", p.stderr)
        self.assertIn("The format 'xml' is not supported", p.stderr)


class GlobalFlags(unittest.TestCase):
    """Global flags are accepted before and after the command, as cobra's persistent flags are."""

    def setUp(self):
        self.r = Repo({**GOOD_STACKS, "components/terraform/vpc/main.tf": "", "profiles/short/atmos.yaml": "stacks:\n  name_template: \"{{ .vars.stage }}\"\n"})
        self.addCleanup(self.r.close)
        self.elsewhere = tempfile.mkdtemp(prefix="atmos-cwd-")
        self.addCleanup(shutil.rmtree, self.elsewhere, True)

    def both(self, flags, command, cwd=None):
        """Runs `atmos FLAGS COMMAND` and `atmos COMMAND FLAGS`; both must succeed with the same stdout."""
        before = self.r.run(*flags, *command, cwd=cwd)
        after = self.r.run(*command, *flags, cwd=cwd)
        for p in (before, after):
            self.assertEqual(p.returncode, 0, f"{flags} {command}: {p.stderr}")
        self.assertEqual(before.stdout, after.stdout)
        return before

    def test_logs_level_and_logs_file(self):
        p = self.both(["--logs-level", "Debug"], ["list", "stacks"])
        self.assertIn("Loaded config file", p.stderr)
        self.assertEqual(self.both(["--logs-level=Debug"], ["version"]).stdout, self.r.run("version").stdout)
        log = os.path.join(self.elsewhere, "atmos.log")
        self.both(["--logs-level", "Debug", "--logs-file", log], ["list", "stacks"])
        with open(log) as f:
            self.assertIn("Loaded config file", f.read())

    def test_chdir(self):
        for flags in (["-C", self.r.dir], ["--chdir", self.r.dir], ["-C" + self.r.dir], ["--chdir=" + self.r.dir]):
            p = self.both(flags, ["list", "stacks"], cwd=self.elsewhere)
            self.assertEqual(p.stdout.split(), ["acme-dev", "acme-prod"])

    def test_config_path_base_path_and_config(self):
        p = self.both(["--config-path", self.r.dir, "--base-path", self.r.dir], ["list", "stacks"], cwd=self.elsewhere)
        self.assertEqual(p.stdout.split(), ["acme-dev", "acme-prod"])
        p = self.both(["--config", os.path.join(self.r.dir, "atmos.yaml"), "--base-path", self.r.dir],
                      ["describe", "stacks", "--format", "json"], cwd=self.elsewhere)
        self.assertEqual(sorted(json.loads(p.stdout)), ["acme-dev", "acme-prod"])

    def test_profile(self):
        p = self.both(["--profile", "short"], ["list", "stacks"])
        self.assertEqual(p.stdout.split(), ["dev", "prod"])
        p = self.both(["--profile=short"], ["describe", "component", "vpc", "-s", "dev", "-q", ".vars.a"])
        self.assertEqual(p.stdout, "1\n")

    def test_identity_goes_to_the_commands_that_take_it(self):
        before = self.r.run("--identity", "nosuch", "terraform", "plan", "vpc", "-s", "acme-dev")
        after = self.r.run("terraform", "plan", "vpc", "-s", "acme-dev", "--identity", "nosuch")
        self.assertEqual((before.returncode, before.stderr), (after.returncode, after.stderr))
        self.assertIn("nosuch", before.stderr)
        p = self.r.run("--identity", "x", "list", "stacks")
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown flag: --identity", p.stderr)

    def test_flags_before_the_command_are_still_checked(self):
        p = self.r.run("--bogus", "version")
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown flag: --bogus", p.stderr)
        p = self.r.run("--logs-level")
        self.assertEqual(p.returncode, 1)
        self.assertIn("flag needs an argument: --logs-level", p.stderr)
        p = self.r.run("-C", os.path.join(self.r.dir, "missing"), "list", "stacks")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("failed to change directory", p.stderr)


class IntegrationNamesInComponents(unittest.TestCase):
    COMPLETE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance", "upstream", "repo", "tests",
                            "fixtures", "scenarios", "complete")

    def test_spacelift_stack_and_atlantis_project_before_templates(self):
        # upstream's computeSpaceliftAndAtlantisNames (internal/exec/utils.go): set on the section before templates
        # render, so orgs/cp/_defaults.yaml's `{{ .spacelift_stack }}` tags resolve (upstream's snapshot
        # tests/snapshots/TestCLICommands_describe_component_with_component_name_(backward_compatibility)).
        for query in (".spacelift_stack", ".atlantis_project", ".vars.tags.spacelift_stack", ".vars.tags.atlantis_project"):
            p = subprocess.run([BINARY, "describe", "component", "top-level-component1", "-s", "tenant1-ue2-dev", "--query", query],
                               cwd=self.COMPLETE, env=dict(os.environ, ATMOS_GIT_ROOT_BASEPATH="false"), capture_output=True, text=True)
            self.assertEqual((p.returncode, p.stdout), (0, "tenant1-ue2-dev-top-level-component1\n"), query + p.stderr[-2000:])


class StartUp(unittest.TestCase):
    def test_optional_libraries_load_only_when_used(self):
        # libgit2 (describe affected, vendor), libcurl (AWS) and libsecret (the system keyring) each cost the
        # dynamic loader milliseconds at every start: they are loaded with dlopen on first use (docs/benchmarks.md).
        with tempfile.TemporaryDirectory() as tmp:
            p = subprocess.run([BINARY, "version"], cwd=tmp, env=dict(os.environ, LD_DEBUG="libs"), capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        loaded = [line for line in p.stderr.splitlines() if "calling init:" in line]
        self.assertTrue(loaded)
        for lib in ("libgit2", "libssh2", "libcurl", "libsecret", "libgnutls", "libkrb5"):
            self.assertFalse([line for line in loaded if lib in line], lib)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
