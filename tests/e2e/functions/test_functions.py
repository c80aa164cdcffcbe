#!/usr/bin/env python3
"""YAML functions against the lab through `atmos describe component`, and the cross-account reads of the product's
story: with the developers profile (bob), plat-use2-dev's vpc reads the transit gateway id from the state of `tgw` in
core-use2-network as that stack's identity (core-network/terraform, TerraformStateAccess in 999999999999) — the lab
refuses any other principal. Run: test_functions.py BINARY (needs ATMOS_LAB_STATE_DIR)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from acme_lab import ACME, SERVICES, acme_env, lab_request  # noqa: E402

BINARY = None
TGW_OBJECT = "acme-core-network-tfstate/tgw/core-use2-network/terraform.tfstate"
DEV_STACK = os.path.join("stacks", "orgs", "acme", "plat", "dev", "us-east-2.yaml")


def restore(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


class Functions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="atmos-functions-")
        cls.repo = os.path.join(cls.tmp, "acme")
        shutil.copytree(ACME, cls.repo)
        with open(os.path.join(cls.repo, DEV_STACK), "a", encoding="utf-8") as f:
            f.write("  - catalog/vpc/cross-account\n")
        with open(os.path.join(cls.repo, "atmos.yaml"), "a", encoding="utf-8") as f:
            f.write("\nstores:\n  acme-ssm:\n    type: aws-ssm-parameter-store\n    options:\n      region: us-east-2\n      prefix: /atmos\n")
        cls.env = acme_env(cls.tmp, "developers", user="bob", services=SERVICES + ("SSM", "ORGANIZATIONS"))
        lab_request("/_lab/terraform-state", {"bucket": "acme-core-network-tfstate", "workspace_key_prefix": "tgw",
                                      "workspace": "core-use2-network",
                                      "outputs": {"transit_gateway_id": "tgw-0a1b2c3d4e5f", "routes": ["10.0.0.0/8", "172.16.0.0/12"],
                                                  "attachments": {"plat-dev": {"id": "tgw-attach-1"}}}})
        p = cls.run_atmos("auth", "login", "--provider", "acme-sso")
        assert p.returncode == 0, p.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    @classmethod
    def run_atmos(cls, *args, **env):
        e = dict(cls.env)
        e.update(env)
        return subprocess.run([BINARY, *args], cwd=cls.repo, env=e, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=300)

    def ok(self, *args, **env):
        p = self.run_atmos(*args, **env)
        self.assertEqual(p.returncode, 0, f"atmos {' '.join(args)}\n--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}")
        return p

    def vars_with(self, text: str, stack_file=DEV_STACK) -> dict:
        """`describe component vpc -s plat-use2-dev` with `text` appended under components.terraform.vpc.vars."""
        path = os.path.join(self.repo, "stacks", "catalog", "vpc", "functions-test.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write("components:\n  terraform:\n    vpc:\n      vars:\n" + text)
        manifest = os.path.join(self.repo, stack_file)
        with open(manifest, encoding="utf-8") as f:
            original = f.read()
        self.addCleanup(restore, manifest, original)
        self.addCleanup(lambda: os.path.exists(path) and os.remove(path))
        with open(manifest, "a", encoding="utf-8") as f:
            f.write("  - catalog/vpc/functions-test\n")
        p = self.ok("describe", "component", "vpc", "-s", "plat-use2-dev", "--format", "json")
        return json.loads(p.stdout)["vars"]

    def test_cross_account_state_is_read_as_the_core_stacks_identity(self):
        lab_request("/_lab/counters/reset", {})
        p = self.ok("describe", "component", "vpc", "-s", "plat-use2-dev", "--format", "json", ATMOS_LOGS_LEVEL="Debug")
        self.assertEqual(json.loads(p.stdout)["vars"]["transit_gateway_id"], "tgw-0a1b2c3d4e5f")
        counters = lab_request("/_lab/counters")
        readers = counters["callers"]["s3:GetObject"][TGW_OBJECT]
        self.assertEqual(len(readers), 1, readers)
        (arn, count), = readers.items()
        self.assertEqual(count, 1)
        self.assertTrue(arn.startswith("arn:aws:sts::999999999999:assumed-role/AWSReservedSSO_TerraformStateAccess_"), arn)
        self.assertEqual(counters["counts"]["s3:GetObject"], 1)
        self.assertIn("Reading Terraform state object=s3://" + TGW_OBJECT + " component=tgw stack=core-use2-network "
                      "identity=core-network/terraform", p.stderr)
        for secret in lab_request("/_lab/secrets")["secrets"]:
            self.assertNotIn(secret["value"], p.stderr)

    def test_another_identity_is_refused_by_the_lab(self):
        p = self.run_atmos("describe", "component", "vpc", "-s", "plat-use2-dev", "--identity", "plat-dev/terraform")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("could not read the S3 object (S3 GetObject: AccessDenied)", p.stderr)
        self.assertIn("was read as identity `plat-dev/terraform`", p.stderr)
        self.assertIn("stacks/catalog/vpc/cross-account.yaml", p.stderr)

    def test_a_profile_lacking_the_identity_is_exit_1_naming_it(self):
        profile = os.path.join(self.repo, "profiles", "developers", "atmos.yaml")
        with open(profile, encoding="utf-8") as f:
            text = f.read()
        self.addCleanup(restore, profile, text)
        start = text.index("    core-network/terraform:")
        end = text.index("    plat-dev/terraform:")
        with open(profile, "w", encoding="utf-8") as f:
            f.write(text[:start] + text[end:])
        lab_request("/_lab/counters/reset", {})
        p = self.run_atmos("describe", "component", "vpc", "-s", "plat-use2-dev")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("identity `core-network/terraform` is not defined in the active profile (developers)", p.stderr)
        self.assertIn("stacks/catalog/vpc/cross-account.yaml", p.stderr)
        self.assertIn("profile devops", p.stderr.replace("profiles ", "profile "))
        self.assertNotIn("s3:GetObject", lab_request("/_lab/counters")["counts"])

    def test_defaults_for_a_never_applied_stack(self):
        v = self.vars_with("        never: !terraform.state vpc core-use2-network .vpc_id // \"vpc-not-yet\"\n"
                           "        never_list: !terraform.state vpc core-use2-network .subnet_cidrs // [\"10.9.0.0/24\"]\n")
        self.assertEqual(v["never"], "vpc-not-yet")
        self.assertEqual(v["never_list"], ["10.9.0.0/24"])
        p = self.run_atmos("describe", "component", "vpc", "-s", "plat-use2-dev")
        self.assertEqual(p.returncode, 0)
        path = os.path.join(self.repo, "stacks", "catalog", "vpc", "functions-test.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write("components:\n  terraform:\n    vpc:\n      vars:\n        never: !terraform.state vpc core-use2-network vpc_id\n")
        manifest = os.path.join(self.repo, DEV_STACK)
        with open(manifest, encoding="utf-8") as f:
            original = f.read()
        self.addCleanup(restore, manifest, original)
        self.addCleanup(lambda: os.remove(path))
        with open(manifest, "a", encoding="utf-8") as f:
            f.write("  - catalog/vpc/functions-test\n")
        p = self.run_atmos("describe", "component", "vpc", "-s", "plat-use2-dev")
        self.assertEqual(p.returncode, 1)
        self.assertIn("terraform state not provisioned for component `vpc` in stack `core-use2-network`", p.stderr)
        self.assertIn("stacks/catalog/vpc/functions-test.yaml", p.stderr)

    def test_expressions_over_the_state(self):
        v = self.vars_with("        route: !terraform.state tgw core-use2-network .routes[1]\n"
                           "        attach: !terraform.state tgw core-use2-network '.attachments[\"plat-dev\"].id'\n"
                           "        arn: !terraform.state 'tgw core-use2-network .transit_gateway_id | \"arn:aws:ec2:tgw/\" + .'\n")
        self.assertEqual(v["route"], "172.16.0.0/12")
        self.assertEqual(v["attach"], "tgw-attach-1")
        self.assertEqual(v["arn"], "arn:aws:ec2:tgw/tgw-0a1b2c3d4e5f")

    def test_aws_functions_read_as_the_callers_stack_identity(self):
        v = self.vars_with("        account: !aws.account_id\n        arn: !aws.caller_identity_arn\n"
                           "        user: !aws.caller_identity_user_id\n        region: !aws.region\n")
        self.assertEqual(v["account"], "222222222222")
        self.assertTrue(v["arn"].startswith("arn:aws:sts::222222222222:assumed-role/AWSReservedSSO_TerraformApplyAccess_"), v["arn"])
        self.assertTrue(v["user"].endswith(":bob"), v["user"])
        # The identity's region: acme's SSO provider region (no principal.region on the permission sets).
        self.assertEqual(v["region"], "us-east-1")

    def test_aws_organization_id(self):
        v = self.vars_with("        org: !aws.organization_id\n")
        self.assertTrue(v["org"].startswith("o-"), v["org"])

    def test_store_reads_ssm_as_the_referenced_stacks_identity(self):
        p = self.ok("auth", "exec", "--identity", "plat-dev/terraform", "--", "aws", "ssm", "put-parameter", "--region", "us-east-2",
                    "--name", "/atmos/plat/use2/dev/vpc/vpc_id", "--value", "\"vpc-from-ssm\"", "--type", "String", "--overwrite")
        p = self.ok("auth", "exec", "--identity", "plat-dev/terraform", "--", "aws", "ssm", "put-parameter", "--region", "us-east-2",
                    "--name", "/atmos/shared/config", "--value", "{\"tier\": \"gold\"}", "--type", "String", "--overwrite")
        v = self.vars_with("        from_store: !store acme-ssm vpc vpc_id\n"
                           "        other_stack: !store acme-ssm plat-use2-dev vpc vpc_id\n"
                           "        missing: !store acme-ssm vpc nothing | default none\n"
                           "        tier: !store.get acme-ssm shared/config | query .tier\n")
        self.assertEqual(v["from_store"], "vpc-from-ssm")
        self.assertEqual(v["other_stack"], "vpc-from-ssm")
        self.assertEqual(v["missing"], "none")
        self.assertEqual(v["tier"], "gold")

    def test_local_functions(self):
        v = self.vars_with("        home: !env HOME\n        dflt: !env ATMOS_NOT_SET fallback\n        n: !exec echo 42\n"
                           "        tmpl: !template '{{ .vars.stage }}'\n        cwd: !cwd\n        gone: !unset\n"
                           "        r: !random 1 3\n        lit: !literal '{{ not rendered }}'\n")
        self.assertEqual(v["home"], os.path.join(self.tmp, "home"))
        self.assertEqual(v["dflt"], "fallback")
        self.assertEqual(v["n"], 42)
        self.assertEqual(v["tmpl"], "dev")
        self.assertEqual(v["cwd"], self.repo)
        self.assertNotIn("gone", v)
        self.assertIn(v["r"], (1, 2, 3))
        self.assertEqual(v["lit"], "{{ not rendered }}")

    def test_malformed_functions_exit_1_naming_file_and_function_and_write_nothing(self):
        varfile = os.path.join(self.repo, "components", "terraform", "vpc", "plat-use2-dev-vpc.terraform.tfvars.json")
        cases = {
            "!terraform.state tgw": "terraform function requires 2 or 3 arguments",
            "!store nowhere vpc key": "store `nowhere` not found",
            "!terraform.state tgw core-use2-network '.routes[oops'": "invalid expression",
            "!exec exit 7": "the command exited with code 7",
            "!include ./does-not-exist.yaml": "could not find './does-not-exist.yaml'",
        }
        for call, message in cases.items():
            with self.subTest(call=call):
                path = os.path.join(self.repo, "stacks", "catalog", "vpc", "bad.yaml")
                with open(path, "w", encoding="utf-8") as f:
                    f.write("components:\n  terraform:\n    vpc:\n      vars:\n        bad: " + call + "\n")
                manifest = os.path.join(self.repo, DEV_STACK)
                with open(manifest, encoding="utf-8") as f:
                    original = f.read()
                with open(manifest, "a", encoding="utf-8") as f:
                    f.write("  - catalog/vpc/bad\n")
                try:
                    if os.path.exists(varfile):
                        os.remove(varfile)
                    for args in (["describe", "component", "vpc", "-s", "plat-use2-dev"],
                                 ["terraform", "plan", "vpc", "-s", "plat-use2-dev"]):
                        p = self.run_atmos(*args)
                        self.assertEqual(p.returncode, 1, p.stderr)
                        self.assertIn(message, p.stderr)
                        self.assertIn("stacks/catalog/vpc/bad.yaml", p.stderr)
                        self.assertIn(call.split(" ")[0], p.stderr)
                        self.assertFalse(os.path.exists(varfile))
                finally:
                    restore(manifest, original)
                    os.remove(path)

    def test_terraform_plan_gets_the_values_in_its_varfile(self):
        p = self.ok("terraform", "plan", "vpc", "-s", "plat-use2-dev", "-no-color")
        self.assertIn("Running as plat-dev/terraform", p.stderr)
        self.assertIn('transit_gateway_id = "tgw-0a1b2c3d4e5f"', p.stdout)
        varfile = os.path.join(self.repo, "components", "terraform", "vpc", "plat-use2-dev-vpc.terraform.tfvars.json")
        with open(varfile, encoding="utf-8") as f:
            self.assertEqual(json.load(f)["transit_gateway_id"], "tgw-0a1b2c3d4e5f")

    def test_atmos_component_and_store_template_functions(self):
        self.ok("auth", "exec", "--identity", "plat-dev/terraform", "--", "aws", "ssm", "put-parameter", "--region", "us-east-2",
                "--name", "/atmos/plat/use2/dev/vpc/cidr", "--value", "\"10.1.0.0/16\"", "--type", "String", "--overwrite")
        v = self.vars_with("        tgw_tmpl: '{{ (atmos.Component \"tgw\" \"core-use2-network\").outputs.transit_gateway_id }}'\n"
                           "        tgw_asn: '{{ (atmos.Component \"tgw\" \"core-use2-network\").vars.amazon_side_asn }}'\n"
                           "        route: '{{ index (atmos.Component \"tgw\" \"core-use2-network\").outputs.routes 1 }}'\n"
                           "        cidr: '{{ atmos.Store \"acme-ssm\" .stack \"vpc\" \"cidr\" }}'\n")
        self.assertEqual(v["tgw_tmpl"], "tgw-0a1b2c3d4e5f")
        self.assertEqual(v["tgw_asn"], "64512")
        self.assertEqual(v["route"], "172.16.0.0/12")
        self.assertEqual(v["cidr"], "10.1.0.0/16")

    def test_terraform_output_runs_terraform_as_the_referenced_identity(self):
        v = self.vars_with("        tgw_out: !terraform.output tgw core-use2-network transit_gateway_id\n"
                           "        routes_out: !terraform.output tgw core-use2-network .routes[0]\n")
        self.assertEqual(v["tgw_out"], "tgw-0a1b2c3d4e5f")
        self.assertEqual(v["routes_out"], "10.0.0.0/8")


    def test_one_sign_in_serves_the_references_and_terraform(self):
        # A person with no session yet: the cross-account read (core-network/terraform) and Terraform's identity
        # (plat-dev/terraform) come through the same SSO provider, which signs in once for the whole command.
        fresh = tempfile.mkdtemp(prefix="fresh-", dir=self.tmp)
        dirs = {name: os.path.join(fresh, name.lower()) for name in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")}
        lab_request("/_lab/counters/reset", {})
        p = self.ok("terraform", "plan", "vpc", "-s", "plat-use2-dev", "-no-color", **dirs)
        self.assertIn('transit_gateway_id = "tgw-0a1b2c3d4e5f"', p.stdout)
        self.assertIn("Running as plat-dev/terraform", p.stderr)
        counts = lab_request("/_lab/counters")["counts"]
        self.assertEqual(counts.get("sso-oidc:StartDeviceAuthorization"), 1, counts)

    def hooked(self, hook: str) -> None:
        """A `vpc-hooked` instance in plat-use2-dev (its own workspace and state) with `hook` under hooks."""
        path = os.path.join(self.repo, "stacks", "catalog", "vpc", "hook-test.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write("components:\n  terraform:\n    vpc-hooked:\n      metadata:\n        component: vpc\n"
                    "        inherits: [vpc]\n      hooks:\n" + hook)
        manifest = os.path.join(self.repo, DEV_STACK)
        with open(manifest, encoding="utf-8") as f:
            original = f.read()
        self.addCleanup(restore, manifest, original)
        self.addCleanup(lambda: os.path.exists(path) and os.remove(path))
        with open(manifest, "a", encoding="utf-8") as f:
            f.write("  - catalog/vpc/hook-test\n")

    def test_store_hooks_write_outputs_after_apply_as_the_stacks_identity(self):
        self.hooked("        store-outputs:\n          events: [after-terraform-apply]\n          command: store\n"
                    "          name: acme-ssm\n          outputs:\n            vpc_id: .vpc_id\n"
                    "            subnets: .subnet_cidrs\n            team: platform\n")
        p = self.ok("terraform", "apply", "vpc-hooked", "-s", "plat-use2-dev", "-auto-approve", "-no-color",
                    "--logs-level", "Debug")
        self.assertIn("Store hook writes hook=store-outputs store=acme-ssm key=vpc_id", p.stderr)
        self.assertIn("Writing store parameter store=acme-ssm name=/atmos/plat/use2/dev/vpc-hooked/vpc_id identity=plat-dev/terraform",
                      p.stderr)
        text = self.ok("terraform", "output", "vpc-hooked", "-s", "plat-use2-dev", "--", "-json").stdout
        out = json.loads(text[text.index("\n{") + 1:])  # after init's and workspace's lines
        written = {}
        for key in ("vpc_id", "subnets", "team"):
            got = self.ok("auth", "exec", "--identity", "plat-dev/terraform", "--", "aws", "ssm", "get-parameter",
                          "--region", "us-east-2", "--name", "/atmos/plat/use2/dev/vpc-hooked/" + key, "--output", "json")
            written[key] = json.loads(json.loads(got.stdout)["Parameter"]["Value"])
        self.assertEqual(written, {"vpc_id": out["vpc_id"]["value"], "subnets": out["subnet_cidrs"]["value"], "team": "platform"})
        v = self.vars_with("        hooked_vpc: !store acme-ssm vpc-hooked vpc_id\n")
        self.assertEqual(v["hooked_vpc"], out["vpc_id"]["value"])

    def test_unsupported_hooks_stop_terraform_before_it_runs(self):
        cases = {
            "        lint:\n          kind: command\n          events: [after-terraform-apply]\n":
                "hooks.lint (kind `command`) in stacks/catalog/vpc/hook-test.yaml:9",
            "        early:\n          command: store\n          events: [before-terraform-plan]\n          name: acme-ssm\n"
            "          outputs: {a: .vpc_id}\n":
                "hooks.early (kind `store`) in stacks/catalog/vpc/hook-test.yaml:9",
            "        nowhere:\n          command: store\n          events: [after-terraform-apply]\n          name: vault\n"
            "          outputs: {a: .vpc_id}\n":
                "hook `nowhere` of component `vpc-hooked` in stack `plat-use2-dev`: store `vault` not found in the "
                "`stores` section of atmos.yaml",
        }
        for hook, message in cases.items():
            with self.subTest(message=message):
                self.hooked(hook)
                for command in ("plan", "apply"):
                    p = self.run_atmos("terraform", command, "vpc-hooked", "-s", "plat-use2-dev", "-auto-approve")
                    self.assertEqual(p.returncode, 1, p.stderr)
                    self.assertIn(message, p.stderr)
                    self.assertNotIn("Terraform", p.stdout)
                    self.doCleanups()
                    self.hooked(hook)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
