#!/usr/bin/env python3
"""End-to-end checks of the stack commands on a copy of examples/acme: `validate component` and the policy check
before `atmos terraform`, `locals` and `describe locals`, the list commands, workflows, offline (local state, authentication off).
Run: test_stacks_acme.py BINARY"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BINARY = None
HERE = os.path.dirname(os.path.abspath(__file__))
ACME = os.path.join(HERE, "..", "..", "examples", "acme")
LOCAL_STATE = "--auto-generate-backend-file=false"


class Acme(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="atmos-stacks-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.repo = os.path.join(self.tmp, "acme")
        shutil.copytree(ACME, self.repo)
        self.vpc = os.path.join(self.repo, "components", "terraform", "vpc")
        self.env = {"PATH": os.environ.get("PATH", ""), "HOME": os.path.join(self.tmp, "home"),
                    "XDG_CACHE_HOME": os.path.join(self.tmp, "cache"), "ATMOS_GIT_ROOT_BASEPATH": "false",
                    "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost", "CHECKPOINT_DISABLE": "1",
                    "ATMOS_IDENTITY": "false"}

    def atmos(self, *args, timeout=180):
        return subprocess.run([BINARY, *args], cwd=self.repo, env=self.env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=timeout)

    def ok(self, *args):
        p = self.atmos(*args)
        self.assertEqual(p.returncode, 0, f"atmos {' '.join(args)}\n--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}")
        return p

    def edit(self, rel, old, new):
        path = os.path.join(self.repo, rel)
        with open(path) as f:
            text = f.read()
        self.assertIn(old, text)
        with open(path, "w") as f:
            f.write(text.replace(old, new))

    def break_dev_vpc(self):
        """plat-use2-dev's vpc gets a public CIDR block and too many subnets."""
        self.edit("stacks/orgs/acme/plat/dev/us-east-2.yaml", "import:",
                  "components:\n  terraform:\n    vpc:\n      vars:\n        ipv4_primary_cidr_block: 8.8.0.0/16\n"
                  "        max_subnet_count: 9\nimport:")


class ValidateComponent(Acme):
    def test_valid_component_passes(self):
        p = self.ok("validate", "component", "vpc", "-s", "plat-use2-dev")
        self.assertIn("Component validated successfully", p.stderr)
        # A component without policies passes too.
        self.ok("validate", "component", "dns-zone", "-s", "plat-use2-dev")

    def test_violation_names_the_policy_and_the_schema_messages(self):
        self.break_dev_vpc()
        p = self.atmos("validate", "component", "vpc", "-s", "plat-use2-dev")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("**Error:** validation failed", p.stderr)
        self.assertIn("The component 'vpc' in the stack 'plat-use2-dev' violates the JSON Schema policy "
                      "'validate-vpc-component'", p.stderr)
        self.assertIn("stacks/schemas/jsonschema/vpc.json", p.stderr)
        self.assertIn("/vars/ipv4_primary_cidr_block: Failed to match regex specified by 'pattern' constraint.",
                      p.stderr)
        self.assertIn("/vars/max_subnet_count: Expected number less than or equal to 6", p.stderr)
        # The other stacks still pass.
        self.ok("validate", "component", "vpc", "-s", "plat-use2-staging")

    def test_schema_given_on_the_command_line(self):
        with open(os.path.join(self.tmp, "strict.json"), "w") as f:
            f.write('{"type": "object", "properties": {"vars": {"required": ["owner"]}}}')
        p = self.atmos("validate", "component", "dns-zone", "-s", "plat-use2-dev", "--schema-path",
                       os.path.join(self.tmp, "strict.json"), "--schema-type", "jsonschema")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("/vars: Missing required property 'owner'", p.stderr)

    def test_bad_policies_are_errors(self):
        cases = [
            ("schema_type: opa\n            schema_path: vpc.rego", "**Error:** OPA policies are not supported"),
            ("schema_type: cue\n            schema_path: vpc.json", "invalid schema type 'cue'. Supported types: jsonschema, opa"),
            ("schema_type: jsonschema\n            schema_path: nope.json",
             "the file 'nope.json' does not exist for schema type 'jsonschema'"),
        ]
        for text, message in cases:
            with self.subTest(message=message):
                shutil.rmtree(self.repo)
                shutil.copytree(ACME, self.repo)
                self.edit("stacks/catalog/vpc.yaml", "schema_type: jsonschema\n            schema_path: vpc.json", text)
                p = self.atmos("validate", "component", "vpc", "-s", "plat-use2-dev")
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertIn(message, p.stderr)
        with open(os.path.join(self.repo, "stacks/schemas/jsonschema/vpc.json"), "w") as f:
            f.write("{not json")
        self.edit("stacks/catalog/vpc.yaml", "schema_path: nope.json", "schema_path: vpc.json")
        p = self.atmos("validate", "component", "vpc", "-s", "plat-use2-dev")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("invalid JSON Schema '", p.stderr)

    def test_disabled_policy_is_skipped(self):
        self.break_dev_vpc()
        self.edit("stacks/catalog/vpc.yaml", "schema_type: jsonschema", "schema_type: jsonschema\n            disabled: true")
        self.ok("validate", "component", "vpc", "-s", "plat-use2-dev")

    def test_usage_errors(self):
        p = self.atmos("validate", "component", "vpc")
        self.assertEqual(p.returncode, 1)
        self.assertIn('required flag(s) "stack" not set', p.stderr)
        p = self.atmos("validate", "component", "-s", "plat-use2-dev")
        self.assertIn("The command requires one argument `component`", p.stderr)


class TerraformPolicies(Acme):
    def test_violation_stops_plan_before_anything_runs(self):
        self.break_dev_vpc()
        for sub in ("plan", "apply", "deploy"):
            with self.subTest(sub=sub):
                p = self.atmos("terraform", sub, "vpc", "-s", "plat-use2-dev", LOCAL_STATE)
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertIn("**Error:** validation failed", p.stderr)
                self.assertIn("/vars/ipv4_primary_cidr_block: Failed to match regex", p.stderr)
                self.assertNotIn("Terraform", p.stdout)
                # Nothing was written or run: no varfile, no planfile, no init.
                self.assertFalse(os.path.exists(os.path.join(self.vpc, "plat-use2-dev-vpc.terraform.tfvars.json")))
                self.assertFalse(os.path.exists(os.path.join(self.vpc, ".terraform")))

    def test_opa_policy_stops_plan(self):
        self.edit("stacks/catalog/vpc.yaml", "schema_type: jsonschema\n            schema_path: vpc.json",
                  "schema_type: opa\n            schema_path: vpc.rego")
        p = self.atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", LOCAL_STATE)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("OPA policies are not supported", p.stderr)
        self.assertIn("'validate-vpc-component'", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.vpc, ".terraform")))

    def test_valid_component_plans(self):
        p = self.ok("terraform", "plan", "vpc", "-s", "plat-use2-dev", LOCAL_STATE)
        self.assertIn("1 to add, 0 to change, 0 to destroy", p.stdout)


class Locals(Acme):
    def test_locals_resolve_into_the_component(self):
        p = self.ok("describe", "component", "tgw", "-s", "core-use2-network", "-f", "json")
        section = json.loads(p.stdout)
        self.assertEqual(section["vars"]["name"], "tgw")
        self.assertEqual(section["vars"]["amazon_side_asn"], 64512)  # a plain reference keeps the number
        self.assertNotIn("locals", section)

    def test_describe_locals(self):
        p = self.ok("describe", "locals", "-s", "catalog/tgw")
        self.assertEqual(p.stdout, "locals:\n  asn: 64512\n  label: tgw-64512\n  name: tgw\n")
        p = self.ok("describe", "locals", "-s", "catalog/tgw", "-q", ".locals.label")
        self.assertEqual(p.stdout, "tgw-64512\n")
        p = self.atmos("describe", "locals")
        self.assertEqual(p.returncode, 1)
        self.assertIn('required flag(s) "stack" not set', p.stderr)

    def test_locals_are_file_scoped(self):
        # The network stack imports catalog/tgw; its own templates do not see the catalog's locals.
        self.edit("stacks/orgs/acme/core/network/us-east-2.yaml", "import:",
                  "locals:\n  mine: own\ncomponents:\n  terraform:\n    tgw:\n      vars:\n"
                  "        name: '{{ .locals.mine }}-{{ .locals.asn }}'\n        amazon_side_asn: '{{ .locals.asn }}'\nimport:")
        p = self.ok("describe", "component", "tgw", "-s", "core-use2-network", "-q", ".vars", "-f", "json")
        self.assertEqual(json.loads(p.stdout)["name"], "own-<no value>")
        self.assertEqual(json.loads(p.stdout)["amazon_side_asn"], "<no value>")
        # A template that needs the component's context still sees the file's locals.
        self.edit("stacks/orgs/acme/core/network/us-east-2.yaml", "amazon_side_asn: '{{ .locals.asn }}'",
                  "description: '{{ .locals.mine }}/{{ .atmos_component }}'")
        p = self.ok("describe", "component", "tgw", "-s", "core-use2-network", "-f", "json")
        self.assertEqual(json.loads(p.stdout)["vars"]["description"], "own/tgw")
        self.assertNotIn("locals", json.loads(p.stdout))

    def test_cycle_is_an_error_naming_the_locals(self):
        self.edit("stacks/catalog/tgw.yaml", "name: tgw\n  asn: 64512", "name: '{{ .locals.label }}'\n  asn: 64512")
        for args in (("describe", "stacks"), ("terraform", "plan", "tgw", "-s", "core-use2-network", LOCAL_STATE)):
            p = self.atmos(*args)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("circular dependency in locals at catalog/tgw", p.stderr)
            self.assertIn("label \u2192 name \u2192 label", p.stderr)

    def test_plan_uses_the_locals(self):
        tgw = os.path.join(self.repo, "components", "terraform", "tgw")
        self.ok("terraform", "plan", "tgw", "-s", "core-use2-network", LOCAL_STATE)
        with open(os.path.join(tgw, "core-use2-network-tgw.terraform.tfvars.json")) as f:
            self.assertEqual(json.load(f)["amazon_side_asn"], 64512)


STACKS = ["core-use2-audit", "core-use2-auto", "core-use2-network", "core-use2-root",
          "plat-use2-dev", "plat-use2-prod", "plat-use2-sandbox", "plat-use2-staging"]


class ListCommands(Acme):
    def test_instances_formats(self):
        p = self.ok("list", "instances", "-f", "json")
        rows = json.loads(p.stdout)
        self.assertEqual(rows[0], {"Component": "dns-zone", "Stack": "core-use2-audit"})
        self.assertEqual(len(rows), 17)  # dns-zone and vpc in 8 stacks, tgw in one; abstract vpc/defaults left out
        self.assertEqual([r["Component"] for r in rows], sorted(r["Component"] for r in rows))
        p = self.ok("list", "instances", "-s", "plat-*-dev", "-f", "csv")
        self.assertEqual(p.stdout, "Component,Stack\ndns-zone,plat-use2-dev\nvpc,plat-use2-dev\n")
        p = self.ok("list", "instances", "-s", "plat-use2-dev", "-f", "tsv", "--delimiter", "|")
        self.assertEqual(p.stdout, "Component|Stack\ndns-zone|plat-use2-dev\nvpc|plat-use2-dev\n")
        p = self.ok("list", "instances", "-s", "plat-use2-dev")  # piped: values only, no header
        self.assertEqual(p.stdout, "dns-zone\tplat-use2-dev\nvpc\tplat-use2-dev\n")
        p = self.ok("list", "instances", "-s", "plat-use2-dev", "-f", "yaml")
        self.assertEqual(p.stdout, "- Component: dns-zone\n  Stack: plat-use2-dev\n- Component: vpc\n  Stack: plat-use2-dev\n")
        p = self.atmos("list", "instances", "-f", "xml")
        self.assertEqual(p.returncode, 1)
        self.assertIn("invalid format 'xml'", p.stderr)

    def test_instances_columns_and_query(self):
        p = self.ok("list", "instances", "-s", "core-use2-network", "-f", "csv",
                    "--columns", "Name={{ .component }}", "--columns", "Account={{ .vars.account_id }}")
        self.assertEqual(p.stdout, "Name,Account\ndns-zone,999999999999\ntgw,999999999999\nvpc,999999999999\n")
        # Columns from atmos.yaml (`list.instances.columns`).
        with open(os.path.join(self.repo, "atmos.yaml"), "a") as f:
            f.write("\nlist:\n  instances:\n    columns:\n      - name: Where\n        value: '{{ .stack }}/{{ .component }}'\n")
        p = self.ok("list", "instances", "-s", "plat-use2-dev", "-f", "csv")
        self.assertEqual(p.stdout, "Where\nplat-use2-dev/dns-zone\nplat-use2-dev/vpc\n")
        p = self.ok("list", "instances", "-s", "plat-use2-dev", "-f", "csv", "--query", ".metadata.inherits")
        self.assertEqual(p.stdout, "Where\nplat-use2-dev/vpc\n")
        p = self.atmos("list", "instances", "--columns", "nope")
        self.assertEqual(p.returncode, 1)
        self.assertIn("invalid column specification 'nope'", p.stderr)

    def test_instances_matrix(self):
        p = self.ok("list", "instances", "-s", "core-use2-network", "--format", "matrix")
        self.assertEqual(p.stdout, '{"include":[' + ",".join(
            '{"stack":"core-use2-network","component":"%s","component_path":"components/terraform/%s",'
            '"component_type":"terraform"}' % (c, c) for c in ("dns-zone", "tgw", "vpc")) + "]}\n")
        out = os.path.join(self.tmp, "github_output")
        self.ok("list", "instances", "-s", "plat-use2-dev", "--format", "matrix", "--output-file", out)
        with open(out) as f:
            lines = f.read().splitlines()
        self.assertTrue(lines[0].startswith('matrix={"include":[{"stack":"plat-use2-dev","component":"dns-zone"'))
        self.assertEqual(lines[1], "count=2")
        p = self.atmos("list", "instances", "--output-file", out)
        self.assertIn("--output-file is only supported with --format=matrix", p.stderr)

    def test_metadata(self):
        p = self.ok("list", "metadata", "-s", "plat-use2-dev", "-f", "csv")
        self.assertEqual(p.stdout, "Stack,Component,Type,Enabled,Locked,Component (base),Inherits,Description\n"
                                   "plat-use2-dev,dns-zone,real,true,false,,,\n"
                                   "plat-use2-dev,vpc,real,true,false,vpc,vpc/defaults,\n"
                                   "plat-use2-dev,vpc/defaults,abstract,true,false,,,\n")

    def test_values_and_vars(self):
        p = self.ok("list", "values", "vpc", "-f", "json")
        values = json.loads(p.stdout)
        self.assertEqual(sorted(values), STACKS)
        self.assertEqual(values["plat-use2-dev"]["stage"], "dev")
        self.assertEqual(self.ok("list", "vars", "vpc", "-f", "json").stdout, p.stdout)
        p = self.ok("list", "vars", "vpc", "-s", "plat-*", "-f", "csv")
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0], "Key,plat-use2-dev,plat-use2-prod,plat-use2-sandbox,plat-use2-staging")
        self.assertIn("stage,dev,prod,sandbox,staging", lines)
        self.assertIn('tags,{"managed_by":"atmos","organization":"acme"},' + ",".join(['{"managed_by":"atmos","organization":"acme"}'] * 3), lines)
        p = self.ok("list", "values", "vpc", "--query", ".vars.region", "--max-columns", "2", "-f", "csv")
        self.assertEqual(p.stdout, "Key,core-use2-audit,core-use2-auto\nvalue,us-east-2,us-east-2\n")
        p = self.atmos("list", "values", "nope")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no values for component 'nope' found", p.stderr)
        p = self.atmos("list", "values")
        self.assertIn("The command requires one argument `component`", p.stderr)

    def test_settings(self):
        p = self.ok("list", "settings", "vpc", "-s", "plat-use2-dev", "-f", "json")
        self.assertEqual(json.loads(p.stdout)["plat-use2-dev"]["validation"]["validate-vpc-component"]["schema_path"],
                         "vpc.json")
        p = self.ok("list", "settings", "-s", "plat-use2-dev", "-f", "csv", "--query", ".settings.validation")
        self.assertTrue(p.stdout.startswith("Key,plat-use2-dev\nvalidate-vpc-component,{"))


WORKFLOW = """\
workflows:
  ci:
    description: Plan the vpc, then a failing check
    stack: plat-use2-staging
    env:
      GREETING: hello
    steps:
      - type: shell
        command: echo "$GREETING from the shell" > shell.out
      - name: plan
        command: terraform plan vpc --auto-generate-backend-file=false
        stack: plat-use2-dev
      - name: check
        type: shell
        env:
          MARK: "{mark}"
        command: test -f "$MARK" || exit 3
      - name: after
        command: describe component dns-zone -q .vars.stage
"""


class Workflows(Acme):
    def write_workflow(self, mark):
        with open(os.path.join(self.repo, "workflows", "ci.yaml"), "w") as f:
            f.write(WORKFLOW.replace("{mark}", mark))

    def test_runs_steps_and_says_how_to_resume(self):
        mark = os.path.join(self.tmp, "mark")
        self.write_workflow(mark)
        p = self.atmos("workflow", "ci", "-f", "ci")
        self.assertEqual(p.returncode, 3, p.stderr)
        with open(os.path.join(self.repo, "shell.out")) as f:
            self.assertEqual(f.read(), "hello from the shell\n")
        self.assertIn("Running step step1: echo", p.stderr)
        self.assertIn("Running step plan: atmos terraform plan vpc --auto-generate-backend-file=false -s plat-use2-dev", p.stderr)
        self.assertIn("1 to add, 0 to change, 0 to destroy", p.stdout)  # the step's own stack wins over the workflow's
        self.assertTrue(os.path.exists(os.path.join(self.vpc, "plat-use2-dev-vpc.planfile")))
        self.assertIn("**Error:** workflow step execution failed", p.stderr)
        self.assertIn("test -f \"$MARK\" || exit 3", p.stderr)
        self.assertIn("atmos workflow ci -f ci --from-step 'check' -s 'plat-use2-staging'", p.stderr)
        self.assertNotIn("Running step after", p.stderr)
        # Resuming from the failed step skips the ones before it.
        open(mark, "w").close()
        p = self.atmos("workflow", "ci", "-f", "ci", "--from-step", "check")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("Running step plan", p.stderr)
        self.assertEqual(p.stdout, "staging\n")  # the workflow's stack

    def test_command_line_stack_wins_and_dry_run_runs_nothing(self):
        self.write_workflow("/nonexistent")
        p = self.ok("workflow", "ci", "--dry-run", "-s", "plat-use2-prod", "--identity", "plat-prod/terraform")
        self.assertIn("Would run step plan: atmos terraform plan vpc --auto-generate-backend-file=false -s plat-use2-prod "
                      "(identity plat-prod/terraform)", p.stderr)
        self.assertIn("Would run step check: test -f", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.repo, "shell.out")))
        self.assertFalse(os.path.exists(os.path.join(self.vpc, ".terraform")))

    def test_describe_and_list(self):
        self.write_workflow("/nonexistent")
        p = self.ok("describe", "workflows", "-f", "json")
        self.assertEqual(json.loads(p.stdout), [{"file": "ci.yaml", "workflow": "ci"},
                                                {"file": "coldstart.yaml", "workflow": "coldstart"}])
        p = self.ok("describe", "workflows", "-o", "all", "-f", "json")
        steps = json.loads(p.stdout)["ci.yaml"]["workflows"]["ci"]["steps"]
        self.assertEqual([s["name"] for s in steps], ["step1", "plan", "check", "after"])
        p = self.ok("list", "workflows", "-f", "csv")
        self.assertEqual(p.stdout, "File,Workflow,Description,Steps\n"
                                   "ci.yaml,ci,Plan the vpc, then a failing check,4\n"  # upstream joins without quoting
                                   "coldstart.yaml,coldstart,Deploy the core network and the first platform stack as superadmin,3\n")

    def test_errors(self):
        self.write_workflow("/nonexistent")
        for args, message in [(("workflow", "nope"), "No workflow found with name `nope`"),
                              (("workflow", "ci", "-f", "missing"), "workflow file not found"),
                              (("workflow", "ci", "--from-step", "nope"), "but this step does not exist in workflow `ci`"),
                              (("workflow",), "The command requires one argument `workflow`")]:
            p = self.atmos(*args)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(message, p.stderr)
        with open(os.path.join(self.repo, "workflows", "bad.yaml"), "w") as f:
            f.write("workflows:\n  bad:\n    steps:\n      - type: container\n        command: x\n")
        p = self.atmos("workflow", "bad")
        self.assertIn("step `step1` uses unsupported type `container`", p.stderr)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main()
