#!/usr/bin/env python3
"""End-to-end checks of the Terraform helpers on a copy of examples/acme with real Terraform, offline (local state):
the `generate` section, `terraform generate files|varfiles|backends|planfile`, `terraform clean`, `plan-diff`, and
the guard that stops commands on configuration this binary does not act on. Run: test_terraform_commands.py BINARY"""
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
DEV = "plat-use2-dev"
DEV_MANIFEST = os.path.join("stacks", "orgs", "acme", "plat", "dev", "us-east-2.yaml")

GENERATE = """\
components:
  terraform:
    vpc:
      generate:
        extra.tf:
          locals:
            environment: "{{ .vars.environment }}"
          output:
            generated_stage:
              value: "{{ .vars.stage }}"
        config.json:
          stack: "{{ .atmos_stack }}"
          workspace: "{{ .workspace }}"
        settings.yaml:
          component: "{{ .atmos_component }}"
        README.md: |
          # {{ .atmos_component }} in {{ .atmos_stack }}
"""
GENERATED = ("extra.tf", "config.json", "settings.yaml", "README.md")


class TerraformCommands(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="atmos-tfcmds-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.repo = os.path.join(self.tmp, "acme")
        shutil.copytree(ACME, self.repo)
        self.vpc = os.path.join(self.repo, "components", "terraform", "vpc")
        self.env = {"PATH": os.environ.get("PATH", ""), "HOME": os.path.join(self.tmp, "home"),
                    "XDG_CACHE_HOME": os.path.join(self.tmp, "cache"), "ATMOS_GIT_ROOT_BASEPATH": "false",
                    "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost", "CHECKPOINT_DISABLE": "1",
                    "TF_IN_AUTOMATION": "1", "ATMOS_IDENTITY": "false"}

    def atmos(self, *args, timeout=180):
        return subprocess.run([BINARY, *args], cwd=self.repo, env=self.env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=timeout)

    def ok(self, *args):
        p = self.atmos(*args)
        self.assertEqual(p.returncode, 0, f"atmos {' '.join(args)}\n--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}")
        return p

    def fails(self, *args):
        p = self.atmos(*args)
        self.assertEqual(p.returncode, 1, f"atmos {' '.join(args)}\n--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}")
        return p

    def add_to_dev(self, name, text):
        """Writes stacks/catalog/<name>.yaml and imports it into the plat-use2-dev manifest."""
        with open(os.path.join(self.repo, "stacks", "catalog", name + ".yaml"), "w", encoding="utf-8") as f:
            f.write(text)
        with open(os.path.join(self.repo, DEV_MANIFEST), "a", encoding="utf-8") as f:
            f.write(f"  - catalog/{name}\n")

    def set_atmos(self, key, value):
        path = os.path.join(self.repo, "atmos.yaml")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace("    auto_generate_backend_file: true\n", f"    auto_generate_backend_file: true\n    {key}: {value}\n"))

    def vpc_file(self, name):
        with open(os.path.join(self.vpc, name), encoding="utf-8") as f:
            return f.read()

    # The generate section

    def test_generate_section_is_written_before_init_and_clean_removes_it(self):
        self.add_to_dev("generate", GENERATE)
        self.set_atmos("auto_generate_files", "true")
        p = self.ok("terraform", "plan", "vpc", "-s", DEV, LOCAL_STATE)
        self.assertIn('generated_stage', p.stdout)
        self.assertIn('= "dev"', p.stdout)
        self.assertEqual(self.vpc_file("extra.tf"),
                         'locals {\n  environment = "use2"\n}\noutput "generated_stage" {\n  value = "dev"\n}\n')
        self.assertEqual(json.loads(self.vpc_file("config.json")), {"stack": DEV, "workspace": DEV})
        self.assertEqual(self.vpc_file("settings.yaml"), "component: vpc\n")
        self.assertEqual(self.vpc_file("README.md"), "# vpc in plat-use2-dev\n")
        self.assertIn("Created " + os.path.join(self.vpc, "extra.tf"), p.stderr)
        p = self.ok("terraform", "generate", "files", "vpc", "-s", DEV, "--clean")
        for name in GENERATED:
            self.assertFalse(os.path.exists(os.path.join(self.vpc, name)), name)
            self.assertIn("Deleted " + os.path.join(self.vpc, name), p.stderr)
        self.assertTrue(os.path.exists(os.path.join(self.vpc, "main.tf")))

    def test_generate_files_command_dry_run_all_and_unchanged_files(self):
        self.add_to_dev("generate", GENERATE)
        p = self.ok("terraform", "generate", "files", "vpc", "-s", DEV, "--dry-run")
        self.assertIn("Would generate " + os.path.join(self.vpc, "extra.tf"), p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.vpc, "extra.tf")))
        p = self.ok("terraform", "generate", "files", "--all", "--stacks", "plat-*-dev", "--components", "vpc")
        self.assertEqual(p.stderr.count("Created "), len(GENERATED), p.stderr)
        p = self.ok("terraform", "generate", "files", "--all")
        self.assertNotIn("Created", p.stderr)
        self.assertNotIn("Updated", p.stderr)
        p = self.fails("terraform", "generate", "files", "vpc", "--all")
        self.assertIn("cannot specify both a component and --all", p.stderr)
        p = self.fails("terraform", "generate", "files", "vpc")
        self.assertIn("`--stack` (`-s`) is required", p.stderr)
        p = self.fails("terraform", "generate", "files", "vpc", "-s", DEV, "--components", "vpc")
        self.assertIn("`--stacks` and `--components` filter `--all`", p.stderr)

    def test_generate_section_without_auto_generate_files_is_not_silently_dropped(self):
        self.add_to_dev("generate", GENERATE)
        p = self.ok("terraform", "plan", "vpc", "-s", DEV, LOCAL_STATE)
        self.assertIn("auto_generate_files is false", p.stderr)
        self.assertIn("atmos terraform generate files vpc -s plat-use2-dev", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.vpc, "extra.tf")))

    def test_a_bad_generate_entry_stops_the_run_before_terraform(self):
        self.add_to_dev("generate", "components:\n  terraform:\n    vpc:\n      generate:\n        bad.tf:\n          output:\n            o: 1\n")
        self.set_atmos("auto_generate_files", "true")
        p = self.fails("terraform", "plan", "vpc", "-s", DEV, LOCAL_STATE)
        self.assertIn("failed to render the generated file 'bad.tf'", p.stderr)
        self.assertIn('labeled block output "o" expects a map', p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.vpc, ".terraform")), "terraform init must not run")

    # The guard

    def test_an_unsupported_setting_stops_plan_naming_it_and_ignore_unsupported_proceeds(self):
        self.add_to_dev("unsupported", "components:\n  terraform:\n    vpc:\n      hooks:\n        store-outputs:\n"
                        "          events: [after-terraform-plan]\n          command: store\n"
                        "      provision:\n        workdir:\n          enabled: true\n")
        with open(os.path.join(self.repo, "atmos.yaml"), "a", encoding="utf-8") as f:
            f.write("\nstores:\n  vault:\n    type: hashicorp-vault\n")
        p = self.fails("terraform", "plan", "vpc", "-s", DEV, LOCAL_STATE)
        self.assertIn("component 'vpc' in stack 'plat-use2-dev' uses configuration this binary does not act on", p.stderr)
        self.assertIn("hooks.store-outputs (kind `store`) in stacks/catalog/unsupported.yaml:6", p.stderr)
        self.assertIn("provision in stacks/catalog/unsupported.yaml:9", p.stderr)
        self.assertRegex(p.stderr, r"stores\.vault \(type `hashicorp-vault`\) in atmos\.yaml:\d+")
        self.assertIn("--ignore-unsupported", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.vpc, ".terraform")), "nothing may run")
        self.assertFalse(os.path.exists(os.path.join(self.vpc, "plat-use2-dev-vpc.terraform.tfvars.json")))
        p = self.ok("terraform", "plan", "vpc", "-s", DEV, LOCAL_STATE, "--ignore-unsupported")
        self.assertIn("1 to add", p.stdout)
        self.assertIn('setting="hooks.store-outputs (kind `store`)" file=stacks/catalog/unsupported.yaml:6', p.stderr)
        p = self.fails("terraform", "generate", "planfile", "vpc", "-s", DEV, LOCAL_STATE)
        self.assertIn("hooks.store-outputs", p.stderr)
        self.ok("terraform", "generate", "planfile", "vpc", "-s", DEV, LOCAL_STATE, "--ignore-unsupported")
        # Components without such settings are not affected by another component's.
        p = self.fails("terraform", "plan", "dns-zone", "-s", DEV, LOCAL_STATE)
        self.assertIn("stores.vault", p.stderr)
        self.assertNotIn("hooks.store-outputs", p.stderr)

    def test_an_unevaluated_yaml_function_never_reaches_the_varfile(self):
        self.add_to_dev("tags", "components:\n  terraform:\n    vpc:\n      vars:\n        tags:\n"
                        "          Owner: !labels owner\n")
        p = self.fails("terraform", "plan", "vpc", "-s", DEV, LOCAL_STATE)
        self.assertIn("the YAML function `!labels` in 'stacks/catalog/tags.yaml:6' was not evaluated", p.stderr)
        self.assertIn("`vars.tags.Owner` is `!labels owner`", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.vpc, "plat-use2-dev-vpc.terraform.tfvars.json")))
        p = self.fails("terraform", "generate", "varfile", "vpc", "-s", DEV)
        self.assertIn("`!labels` in 'stacks/catalog/tags.yaml:6'", p.stderr)

    def test_a_skipped_function_is_an_error_too(self):
        self.add_to_dev("tags", "components:\n  terraform:\n    vpc:\n      env:\n        WHO: !env USER\n")
        self.ok("terraform", "plan", "vpc", "-s", DEV, LOCAL_STATE)
        p = self.fails("terraform", "plan", "vpc", "-s", DEV, LOCAL_STATE, "--skip", "env")
        self.assertIn("the YAML function `!env` in 'stacks/catalog/tags.yaml:5' was not evaluated", p.stderr)
        self.assertIn("--skip", p.stderr)

    def test_an_unknown_tag_names_file_and_line(self):
        self.add_to_dev("tags", "components:\n  terraform:\n    vpc:\n      vars:\n        x: !nope value\n")
        p = self.fails("terraform", "plan", "vpc", "-s", DEV, LOCAL_STATE)
        self.assertIn("unsupported YAML tag: '!nope' found in file", p.stderr)
        self.assertIn("catalog/tags.yaml' (line 5)", p.stderr)

    # clean

    def tree(self):
        out = set()
        for root, dirs, files in os.walk(self.vpc):
            for name in dirs + files:
                out.add(os.path.relpath(os.path.join(root, name), self.vpc))
        return out

    def test_clean_cache_removes_the_plugin_cache_only(self):
        plugins = os.path.join(self.tmp, "cache", "atmos", "terraform", "plugins")
        os.makedirs(os.path.join(plugins, "registry.terraform.io"))
        before = self.tree()
        p = self.fails("terraform", "clean", "--cache")
        self.assertIn("refusing to delete the Terraform plugin cache directory " + plugins, p.stderr)
        p = self.ok("terraform", "clean", "--cache", "--dry-run")
        self.assertEqual(p.stderr, "Would delete " + plugins + "\n")
        self.assertTrue(os.path.isdir(plugins))
        p = self.ok("terraform", "clean", "--cache", "--force")
        self.assertEqual(p.stderr, "Deleted plugin cache directory: " + plugins + "\n")
        self.assertFalse(os.path.exists(plugins))
        self.assertTrue(os.path.isdir(os.path.join(self.tmp, "cache", "atmos", "terraform")))
        self.assertEqual(self.tree(), before)  # the components are untouched
        p = self.ok("terraform", "clean", "--cache", "--force")
        self.assertEqual(p.stderr, "Plugin cache directory does not exist, nothing to clean\n")
        # the configured directory wins; the root or HOME is never deleted
        self.set_atmos("plugin_cache_dir", "/")
        p = self.fails("terraform", "clean", "--cache", "--force")
        self.assertIn("refusing to delete the plugin cache directory '/'", p.stderr)

    def test_clean_removes_what_atmos_generated_and_nothing_else(self):
        self.add_to_dev("generate", GENERATE)
        self.set_atmos("auto_generate_files", "true")
        self.ok("terraform", "deploy", "vpc", "-s", "plat-use2-prod", LOCAL_STATE)
        self.ok("terraform", "plan", "vpc", "-s", DEV, LOCAL_STATE)
        self.ok("terraform", "generate", "backend", "vpc", "-s", DEV)
        for name in (".terraform.lock.hcl", "notes.txt", "backend.tf"):
            with open(os.path.join(self.vpc, name), "w", encoding="utf-8") as f:
                f.write("kept unless atmos made it\n")
        before = self.tree()
        generated = {".terraform", ".terraform.lock.hcl", "backend.tf.json", "plat-use2-dev-vpc.terraform.tfvars.json",
                     "plat-use2-dev-vpc.planfile", *GENERATED}
        self.assertTrue(generated <= before, generated - before)

        p = self.fails("terraform", "clean", "vpc", "-s", DEV)
        self.assertIn("refusing to delete", p.stderr)
        self.assertIn("--force", p.stderr)
        self.assertEqual(self.tree(), before)

        p = self.ok("terraform", "clean", "vpc", "-s", DEV, "--dry-run")
        self.assertIn("Would delete components/terraform/vpc/plat-use2-dev-vpc.planfile", p.stderr)
        self.assertEqual(self.tree(), before)

        p = self.ok("terraform", "clean", "vpc", "-s", DEV, "--force", "--skip-lock-file")
        after = self.tree()
        removed = {path for path in before - after if "/" not in path}
        self.assertEqual(removed, generated - {".terraform.lock.hcl"})
        for name in ("main.tf", "notes.txt", "backend.tf", ".terraform.lock.hcl",
                     "terraform.tfstate.d/plat-use2-prod/terraform.tfstate", "terraform.tfstate.d/plat-use2-dev"):
            self.assertIn(name, after)
        self.assertIn("Deleted components/terraform/vpc/extra.tf", p.stderr)

        self.ok("terraform", "clean", "vpc", "-s", DEV, "--force", "--everything")
        after = self.tree()
        self.assertNotIn("terraform.tfstate.d/plat-use2-dev", after)
        self.assertNotIn(".terraform.lock.hcl", after)
        self.assertIn("terraform.tfstate.d/plat-use2-prod/terraform.tfstate", after)
        self.assertIn("notes.txt", after)
        p = self.ok("terraform", "clean", "vpc", "-s", DEV, "--force")
        self.assertIn("Nothing to delete", p.stderr)

    def test_clean_without_a_component_covers_every_component(self):
        self.ok("terraform", "plan", "vpc", "-s", DEV, LOCAL_STATE)
        self.ok("terraform", "plan", "vpc", "-s", "plat-use2-prod", LOCAL_STATE)
        p = self.ok("terraform", "clean", "--dry-run")
        for stack in (DEV, "plat-use2-prod"):
            self.assertIn(f"Would delete components/terraform/vpc/{stack}-vpc.planfile", p.stderr)
        p = self.ok("terraform", "clean", "-s", "plat-use2-prod", "--force")
        self.assertIn("Deleted components/terraform/vpc/plat-use2-prod-vpc.planfile", p.stderr)
        self.assertNotIn("plat-use2-dev", p.stderr)
        self.assertTrue(os.path.exists(os.path.join(self.vpc, "plat-use2-dev-vpc.planfile")))
        p = self.fails("terraform", "clean", "nope", "--force")
        self.assertIn("component 'nope' is not defined in any stack", p.stderr)

    # plan-diff

    def test_plan_diff_of_two_planfiles_and_against_the_current_configuration(self):
        self.ok("terraform", "plan", "vpc", "-s", DEV, LOCAL_STATE, "-out=orig.plan")
        p = self.ok("terraform", "plan-diff", "vpc", "-s", DEV, LOCAL_STATE, "--orig", "orig.plan")
        self.assertIn("The planfiles are identical", p.stdout)
        catalog = os.path.join(self.repo, "stacks", "catalog", "vpc.yaml")
        with open(catalog, encoding="utf-8") as f:
            text = f.read()
        with open(catalog, "w", encoding="utf-8") as f:
            f.write(text.replace("10.0.0.0/16", "10.9.0.0/16"))
        self.ok("terraform", "plan", "vpc", "-s", DEV, LOCAL_STATE, "-out=new.plan")
        p = self.atmos("terraform", "plan-diff", "vpc", "-s", DEV, LOCAL_STATE, "--orig=orig.plan", "--new=new.plan")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("Diff Output\n=========\n\nVariables:\n----------\n"
                      "~ ipv4_primary_cidr_block: 10.0.0.0/16 => 10.9.0.0/16\n", p.stdout)
        self.assertIn("~ terraform_data.vpc\n  ~ input.cidr: 10.0.0.0/16 => 10.9.0.0/16\n", p.stdout)
        # Without --new the current configuration is planned into a temporary planfile, removed afterwards.
        p = self.atmos("terraform", "plan-diff", "vpc", "-s", DEV, LOCAL_STATE, "--orig", "orig.plan")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("~ input.cidr: 10.0.0.0/16 => 10.9.0.0/16", p.stdout)
        self.assertFalse(any(name.endswith(".plan-diff") for name in os.listdir(self.vpc)), os.listdir(self.vpc))
        p = self.fails("terraform", "plan-diff", "vpc", "-s", DEV, "--orig", "missing.plan")
        self.assertIn("original plan file '" + os.path.join(self.vpc, "missing.plan") + "' does not exist", p.stderr)
        p = self.fails("terraform", "plan-diff", "vpc", "-s", DEV)
        self.assertIn("original plan file (--orig) is required", p.stderr)
        p = self.fails("terraform", "plan", "vpc", "-s", DEV, "--orig", "orig.plan")
        self.assertIn("--orig and --new are flags of `atmos terraform plan-diff`", p.stderr)

    # generate varfiles | backends | planfile

    def test_generate_varfiles_for_all_components_from_a_file_template(self):
        p = self.fails("terraform", "generate", "varfiles")
        self.assertIn("`--file-template` is required", p.stderr)
        self.ok("terraform", "generate", "varfiles", "--file-template", "out/{tenant}/{stage}/{component}.tfvars.json")
        with open(os.path.join(self.repo, "out", "plat", "dev", "vpc.tfvars.json"), encoding="utf-8") as f:
            dev = json.load(f)
        self.assertEqual((dev["stage"], dev["ipv4_primary_cidr_block"]), ("dev", "10.0.0.0/16"))
        self.assertTrue(os.path.exists(os.path.join(self.repo, "out", "core", "network", "tgw.tfvars.json")))
        self.ok("terraform", "generate", "varfiles", "--file-template", "hcl/{stage}-{component}.tfvars", "--format", "hcl",
                "--stacks", DEV, "--components", "vpc")
        self.assertEqual(os.listdir(os.path.join(self.repo, "hcl")), ["dev-vpc.tfvars"])
        with open(os.path.join(self.repo, "hcl", "dev-vpc.tfvars"), encoding="utf-8") as f:
            text = f.read()
        self.assertIn('ipv4_primary_cidr_block = "10.0.0.0/16"\n', text)
        self.assertIn('stage                   = "dev"\n', text)
        self.ok("terraform", "generate", "varfiles", "--file-template", "y/{stage}.yaml", "--format", "yaml",
                "--stacks", "orgs/acme/plat/prod/*", "--components", "vpc")
        self.assertEqual(os.listdir(os.path.join(self.repo, "y")), ["prod.yaml"])
        p = self.fails("terraform", "generate", "varfiles", "--file-template", "x", "--format", "toml")
        self.assertIn("invalid '--format' argument 'toml'", p.stderr)

    def test_generate_backends_in_each_component_or_by_template(self):
        self.ok("terraform", "generate", "backends", "--components", "vpc")
        text = self.vpc_file("backend.tf")
        self.assertTrue(text.startswith('terraform {\n  backend "s3" {\n'), text)
        self.assertIn('    workspace_key_prefix    = "vpc"\n', text)
        self.ok("terraform", "generate", "backends", "--format", "json", "--components", "vpc")
        self.assertEqual(json.loads(self.vpc_file("backend.tf.json"))["terraform"]["backend"]["s3"]["workspace_key_prefix"], "vpc")
        self.ok("terraform", "generate", "backends", "--format", "backend-config", "--file-template", "be/{stage}-{component}.hcl",
                "--stacks", DEV)
        self.assertEqual(sorted(os.listdir(os.path.join(self.repo, "be"))), ["dev-dns-zone.hcl", "dev-vpc.hcl"])
        with open(os.path.join(self.repo, "be", "dev-vpc.hcl"), encoding="utf-8") as f:
            self.assertIn('workspace_key_prefix    = "vpc"\n', f.read())

    def test_generate_planfile_as_json_and_yaml(self):
        self.ok("terraform", "generate", "planfile", "vpc", "-s", DEV, LOCAL_STATE)
        plan = json.loads(self.vpc_file("plat-use2-dev-vpc.planfile.json"))
        self.assertEqual(plan["variables"]["stage"]["value"], "dev")
        self.assertEqual(plan["resource_changes"][0]["address"], "terraform_data.vpc")
        self.ok("terraform", "generate", "planfile", "vpc", "-s", DEV, LOCAL_STATE, "--format", "yaml", "-f", "plans/dev.yaml")
        self.assertIn("applyable: true\n", self.vpc_file(os.path.join("plans", "dev.yaml")))
        self.assertFalse([n for n in os.listdir(self.vpc) if n.endswith(".generate-planfile")])
        p = self.fails("terraform", "generate", "planfile", "vpc", "-s", DEV, "--format", "xml")
        self.assertIn("Supported formats are 'json' and 'yaml'", p.stderr)
        # clean removes the rendered planfile too
        self.ok("terraform", "clean", "vpc", "-s", DEV, "--force")
        self.assertFalse(os.path.exists(os.path.join(self.vpc, "plat-use2-dev-vpc.planfile.json")))


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main()
