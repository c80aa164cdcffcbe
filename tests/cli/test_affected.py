#!/usr/bin/env python3
"""End-to-end checks of `atmos describe affected`, `describe dependents`, `list affected` and
`list instances --format matrix` in temporary git repositories made from a copy of examples/acme (docs/affected.md).
Each case asserts the exact affected list. Run: test_affected.py BINARY"""
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

import yaml

BINARY = None
HERE = os.path.dirname(os.path.abspath(__file__))
ACME = os.path.join(HERE, "..", "..", "examples", "acme")
ALL_STACKS = ["core-use2-audit", "core-use2-auto", "core-use2-network", "core-use2-root",
              "plat-use2-dev", "plat-use2-prod", "plat-use2-sandbox", "plat-use2-staging"]

LABEL_MODULE = 'variable "name" { type = string }\noutput "id" { value = "label-${var.name}" }\n'
VPC_MODULE_CALL = '\nmodule "label" {\n  source = "../modules/label"\n  name   = var.name\n}\n'
DNS_ZONE = """\
components:
  terraform:
    dns-zone:
      settings:
        depends_on:
          1:
            component: vpc
          2:
            file: config/zones.json
      vars:
        name: dns
        zone_name: "{{ .vars.stage }}.{{ .vars.tenant }}.acme.example"
"""
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_SYSTEM": "/dev/null"}


class Affected(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="atmos-affected-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.repo = os.path.join(self.tmp, "acme")
        shutil.copytree(ACME, self.repo, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "backend.tf.json"))
        self.write("components/terraform/modules/label/main.tf", LABEL_MODULE)
        self.append("components/terraform/vpc/main.tf", VPC_MODULE_CALL)
        self.write("stacks/catalog/dns-zone.yaml", DNS_ZONE)
        self.write("config/zones.json", "{}\n")
        self.write(".gitignore", ".terraform/\n*.tfstate*\nterraform.tfstate.d/\n*.planfile\n*.tfvars.json\nbackend.tf.json\n"
                                 ".terraform.lock.hcl\n")
        self.git("init", "-q", "-b", "main")
        self.git("add", "-A")
        self.git("commit", "-qm", "base")

    def write(self, rel, text):
        path = os.path.join(self.repo, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def append(self, rel, text):
        with open(os.path.join(self.repo, rel), "a") as f:
            f.write(text)

    def replace(self, rel, old, new):
        path = os.path.join(self.repo, rel)
        with open(path) as f:
            text = f.read()
        self.assertIn(old, text)
        self.write(rel, text.replace(old, new))

    def git(self, *args, cwd=None):
        env = dict(os.environ, **GIT_ENV)
        subprocess.run(["git", *args], cwd=cwd or self.repo, env=env, check=True, capture_output=True)

    def run_atmos(self, *args, cwd=None, env=None):
        full_env = dict(os.environ, HTTPS_PROXY="http://127.0.0.1:9", NO_PROXY="127.0.0.1,localhost",
                        ATMOS_LOGS_LEVEL="Warning", **(env or {}))
        full_env.pop("GITHUB_ACTIONS", None)
        for name in ("ATMOS_PRO_TOKEN", "ATMOS_PRO_BASE_URL", "ATMOS_PRO_ENDPOINT", "ATMOS_PRO_WORKSPACE_ID",
                     "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"):
            if name not in (env or {}):
                full_env.pop(name, None)
        return subprocess.run([BINARY, *args], cwd=cwd or self.repo, env=full_env, capture_output=True, text=True, timeout=120)

    def affected(self, *args):
        p = self.run_atmos("describe", "affected", "--base", "main", *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def triples(self, items):
        return [(a["component"], a["stack"], a["affected"]) for a in items]

    def test_vars_change(self):
        self.replace("stacks/catalog/vpc.yaml", "max_subnet_count: 3", "max_subnet_count: 4")
        items = self.affected()
        self.assertEqual(self.triples(items), [("vpc", s, "stack.vars") for s in ALL_STACKS])
        first = items[0]
        self.assertEqual(list(first), ["component", "component_type", "component_path", "stack", "stack_slug", "affected",
                                       "affected_all", "dependents", "included_in_dependents", "settings"])
        self.assertEqual(first["component_path"], "components/terraform/vpc")
        self.assertEqual(first["stack_slug"], "core-use2-audit-vpc")
        self.assertEqual(first["affected_all"], ["stack.vars"])
        self.assertIsNone(first["settings"])

    def test_env_change(self):
        self.append("stacks/orgs/acme/plat/dev/us-east-2.yaml", "\nenv:\n  TF_LOG: INFO\n")
        self.assertEqual(self.triples(self.affected()),
                         [("dns-zone", "plat-use2-dev", "stack.env"), ("vpc", "plat-use2-dev", "stack.env")])

    def test_terraform_file_change(self):
        self.append("components/terraform/tgw/main.tf", "\n# a comment\n")
        self.assertEqual(self.triples(self.affected()), [("tgw", "core-use2-network", "component")])

    def test_module_change(self):
        self.append("components/terraform/modules/label/main.tf", "\n# a comment\n")
        self.assertEqual(self.triples(self.affected()), [("vpc", s, "component.module") for s in ALL_STACKS])

    def test_depends_on_file_change(self):
        self.write("config/zones.json", '{"changed": true}\n')
        items = self.affected()
        self.assertEqual(self.triples(items), [("dns-zone", s, "file") for s in ALL_STACKS])
        self.assertEqual(items[0]["file"], "config/zones.json")

    def test_deleted_stack_and_component(self):
        self.git("rm", "-q", "stacks/orgs/acme/plat/sandbox/us-east-2.yaml")
        self.replace("stacks/orgs/acme/plat/dev/us-east-2.yaml", "  - catalog/dns-zone\n", "")
        items = self.affected()
        self.assertEqual(self.triples(items), [("dns-zone", "plat-use2-dev", "deleted"),
                                               ("dns-zone", "plat-use2-sandbox", "deleted.stack"),
                                               ("vpc", "plat-use2-sandbox", "deleted.stack")])
        self.assertEqual([(a["deleted"], a["deletion_type"]) for a in items],
                         [(True, "component"), (True, "stack"), (True, "stack")])
        self.assertEqual((items[1]["tenant"], items[1]["environment"], items[1]["stage"]), ("plat", "use2", "sandbox"))

    def test_committed_and_uncommitted_edits(self):
        self.git("checkout", "-q", "-b", "feature")
        self.append("components/terraform/tgw/main.tf", "\n# committed\n")
        self.git("commit", "-qam", "tgw")
        self.append("stacks/orgs/acme/core/network/us-east-2.yaml", "\nvars:\n  region: us-east-2\n  extra: 1\n")
        self.write("stacks/orgs/acme/plat/dev/untracked.yaml",
                   "import:\n  - ./_defaults\n  - mixins/region/us-east-2\n")
        items = self.affected()
        self.assertEqual(self.triples(items), [("dns-zone", "core-use2-network", "stack.vars"),
                                               ("tgw", "core-use2-network", "component"),
                                               ("vpc", "core-use2-network", "stack.vars")])
        self.assertEqual(items[1]["affected_all"], ["component", "stack.vars"])

    def test_changed_file_no_manifest_imports(self):
        self.write("stacks/catalog/unused.yaml", "components:\n  terraform:\n    vpc:\n      vars:\n        name: other\n")
        self.assertEqual(self.affected(), [])
        self.replace("stacks/orgs/acme/plat/dev/us-east-2.yaml", "  - catalog/dns-zone\n", "  - catalog/dns-zone\n  - catalog/unused\n")
        self.assertEqual(self.triples(self.affected()), [("vpc", "plat-use2-dev", "stack.vars")])

    def test_base_is_read_without_a_checkout(self):
        # The base commit's files come from the object database: with no writable temporary folder and nothing
        # new beside the repository, the answer is the same.
        self.replace("stacks/catalog/vpc.yaml", "max_subnet_count: 3", "max_subnet_count: 4")
        locked = os.path.join(self.tmp, "no-temp")
        os.mkdir(locked, 0o500)
        self.addCleanup(os.chmod, locked, 0o700)
        p = self.run_atmos("describe", "affected", "--base", "main", env={"TMPDIR": locked})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.triples(json.loads(p.stdout)), [("vpc", s, "stack.vars") for s in ALL_STACKS])
        self.assertEqual(os.listdir(locked), [])
        self.assertEqual(sorted(os.listdir(self.tmp)), ["acme", "no-temp"])

    def test_file_read_with_include_changed(self):
        self.append("stacks/catalog/dns-zone.yaml", "        tags: !include ../../config/tags.yaml\n")
        self.write("config/tags.yaml", "team: dns\n")
        self.git("add", "-A")
        self.git("commit", "-qm", "tags")
        self.write("config/tags.yaml", "team: network\n")
        self.assertEqual(self.triples(self.affected()), [("dns-zone", s, "stack.vars") for s in ALL_STACKS])

    def test_manifest_behind_a_symlink(self):
        os.makedirs(os.path.join(self.repo, "common"))
        os.rename(os.path.join(self.repo, "stacks/catalog/vpc.yaml"), os.path.join(self.repo, "common/vpc.yaml"))
        os.symlink("../../common/vpc.yaml", os.path.join(self.repo, "stacks/catalog/vpc.yaml"))
        # A link loop among the manifests is no manifest, in the working tree and in the base alike.
        os.symlink("loop.yaml", os.path.join(self.repo, "stacks/orgs/loop.yaml"))
        self.git("add", "-A")
        self.git("commit", "-qm", "common vpc")
        self.replace("common/vpc.yaml", "max_subnet_count: 3", "max_subnet_count: 4")
        self.assertEqual(self.triples(self.affected()), [("vpc", s, "stack.vars") for s in ALL_STACKS])

    def test_base_errors_name_the_commit(self):
        self.append("stacks/catalog/dns-zone.yaml", "  broken: [\n")
        self.git("commit", "-qam", "broken")
        base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=self.repo, capture_output=True, text=True).stdout.strip()
        self.git("checkout", "-q", "HEAD~1", "--", "stacks/catalog/dns-zone.yaml")
        p = self.run_atmos("describe", "affected", "--base", base)
        self.assertEqual(p.returncode, 1)
        self.assertIn("invalid stack manifest 'catalog/dns-zone'", p.stderr)
        self.assertIn(f"acme@{base[:12]}/stacks/catalog/dns-zone.yaml", p.stderr)

    def test_stack_filter_and_settings(self):
        self.replace("stacks/catalog/vpc.yaml", "max_subnet_count: 3", "max_subnet_count: 4")
        items = self.affected("--stack", "plat-use2-prod", "--include-settings")
        self.assertEqual(self.triples(items), [("vpc", "plat-use2-prod", "stack.vars")])
        self.assertIsInstance(items[0]["settings"], dict)

    def test_exclude_locked_and_configured_sections(self):
        self.replace("stacks/catalog/vpc.yaml", "max_subnet_count: 3", "max_subnet_count: 4")
        self.append("stacks/orgs/acme/plat/prod/us-east-2.yaml",
                    "\ncomponents:\n  terraform:\n    vpc:\n      metadata:\n        locked: true\n")
        self.assertEqual(self.triples(self.affected("--exclude-locked")),
                         [("vpc", s, "stack.vars") for s in ALL_STACKS if s != "plat-use2-prod"])
        self.append("atmos.yaml", "\ndescribe:\n  affected:\n    sections: [env, tags]\n")
        self.assertEqual(self.triples(self.affected("--exclude-locked")), [])
        self.append("stacks/orgs/acme/plat/dev/us-east-2.yaml", "\nenv:\n  TF_LOG: INFO\n")
        self.assertEqual(self.triples(self.affected("--exclude-locked")),
                         [("dns-zone", "plat-use2-dev", "stack.env"), ("vpc", "plat-use2-dev", "stack.env")])

    def test_include_dependents(self):
        self.append("stacks/orgs/acme/plat/dev/us-east-2.yaml",
                    "\ncomponents:\n  terraform:\n    vpc:\n      vars:\n        max_subnet_count: 2\n")
        items = self.affected("--include-dependents")
        self.assertEqual(self.triples(items), [("vpc", "plat-use2-dev", "stack.vars")])
        deps = items[0]["dependents"]
        self.assertEqual([(d["component"], d["stack"], d["stack_slug"]) for d in deps],
                         [("dns-zone", "plat-use2-dev", "plat-use2-dev-dns-zone")])
        self.assertEqual((deps[0]["tenant"], deps[0]["stage"], deps[0]["dependents"]), ("plat", "dev", []))
        self.assertFalse(items[0]["included_in_dependents"])

    def test_included_in_dependents(self):
        self.append("stacks/orgs/acme/plat/dev/us-east-2.yaml", "\nenv:\n  TF_LOG: INFO\n")
        items = self.affected("--include-dependents")
        self.assertEqual([(a["component"], a["included_in_dependents"]) for a in items],
                         [("dns-zone", True), ("vpc", False)])

    def test_matrix_and_output_file(self):
        self.append("components/terraform/tgw/main.tf", "\n# a comment\n")
        p = self.run_atmos("describe", "affected", "--base", "main", "--format", "matrix")
        self.assertEqual(p.returncode, 0, p.stderr)
        expected = ('{"include":[{"stack":"core-use2-network","component":"tgw",'
                    '"component_path":"components/terraform/tgw","component_type":"terraform"}]}')
        self.assertEqual(p.stdout, expected + "\n")
        out = os.path.join(self.tmp, "github_output")
        with open(out, "w") as f:
            f.write("earlier=1\n")
        p = self.run_atmos("describe", "affected", "--base", "main", "--format=matrix", "--output-file", out)
        self.assertEqual((p.returncode, p.stdout), (0, ""), p.stderr)
        with open(out) as f:
            self.assertEqual(f.read(), "earlier=1\nmatrix=" + expected + "\ncount=1\n")
        p = self.run_atmos("describe", "affected", "--base", "main", "--output-file", out)
        self.assertEqual(p.returncode, 1)
        self.assertIn("--output-file is only supported with --format=matrix", p.stderr)

    def test_query_yaml_and_file(self):
        self.append("components/terraform/tgw/main.tf", "\n# a comment\n")
        p = self.run_atmos("describe", "affected", "--base", "main", "--query", ".[0].stack_slug")
        self.assertEqual((p.returncode, p.stdout), (0, "core-use2-network-tgw\n"), p.stderr)
        p = self.run_atmos("describe", "affected", "--base", "main", "--format", "yaml")
        self.assertIn("- component: tgw\n", p.stdout)
        dest = os.path.join(self.tmp, "affected.json")
        p = self.run_atmos("describe", "affected", "--base", "main", "--file", dest)
        self.assertEqual((p.returncode, p.stdout), (0, ""), p.stderr)
        with open(dest) as f:
            self.assertEqual(self.triples(json.load(f)), [("tgw", "core-use2-network", "component")])
        # upstream's documented filters: select with comparisons over the list
        self.replace("stacks/catalog/vpc.yaml", "max_subnet_count: 3", "max_subnet_count: 4")
        p = self.run_atmos("describe", "affected", "--base", "main", "--query",
                           '[.[] | select(.affected == "component" or .stack == "plat-use2-dev") | .stack_slug]')
        self.assertEqual(json.loads(p.stdout), ["core-use2-network-tgw", "plat-use2-dev-vpc"], p.stderr)

    def test_repo_path_and_ref(self):
        base_clone = os.path.join(self.tmp, "base")
        self.git("clone", "-q", self.repo, base_clone, cwd=self.tmp)
        self.append("components/terraform/tgw/main.tf", "\n# a comment\n")
        p = self.run_atmos("describe", "affected", "--repo-path", base_clone)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.triples(json.loads(p.stdout)), [("tgw", "core-use2-network", "component")])
        p = self.run_atmos("describe", "affected", "--ref", "refs/heads/main")
        self.assertEqual(self.triples(json.loads(p.stdout)), [("tgw", "core-use2-network", "component")])

    def test_default_base_is_origin_head(self):
        clone = os.path.join(self.tmp, "clone")
        self.git("clone", "-q", self.repo, clone, cwd=self.tmp)
        with open(os.path.join(clone, "stacks/catalog/tgw.yaml"), "a") as f:
            f.write("      settings:\n        owner: network\n")
        p = self.run_atmos("describe", "affected", cwd=clone)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.triples(json.loads(p.stdout)), [("tgw", "core-use2-network", "stack.settings")])

    def test_github_actions_workflow_example(self):
        with open(os.path.join(HERE, "..", "..", "docs/github-actions.md")) as f:
            text = f.read()
        workflow = yaml.safe_load(text.split("```yaml\n", 1)[1].split("```", 1)[0])
        self.assertEqual(workflow["env"], {"ATMOS_PROFILE": "github-plan"})
        step = workflow["jobs"]["affected"]["steps"][2]
        self.assertIn("atmos describe affected", step["run"])
        self.assertEqual(workflow["jobs"]["plan"]["strategy"]["matrix"], "${{ fromJson(needs.affected.outputs.matrix) }}")
        clone = os.path.join(self.tmp, "clone")
        self.git("clone", "-q", self.repo, clone, cwd=self.tmp)
        with open(os.path.join(clone, "components/terraform/tgw/main.tf"), "a") as f:
            f.write("# changed\n")
        out = os.path.join(self.tmp, "github_output")
        command = step["run"].replace("${{ github.base_ref }}", "main").replace('"$GITHUB_OUTPUT"', out).split()
        self.assertEqual(command[0], "atmos")
        p = self.run_atmos(*[a.strip('"') for a in command[1:]], cwd=clone)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[1], "count=1")
        self.assertEqual(json.loads(lines[0][len("matrix="):])["include"][0]["stack"], "core-use2-network")

    def test_github_actions_pull_request_base(self):
        self.git("checkout", "-q", "-b", "feature")
        self.append("components/terraform/tgw/main.tf", "\n# committed\n")
        self.git("commit", "-qam", "tgw")
        self.git("update-ref", "refs/remotes/origin/main", "main")
        self.append("atmos.yaml", "\nci:\n  enabled: true\n")
        event = os.path.join(self.tmp, "event.json")
        with open(event, "w") as f:
            json.dump({"pull_request": {"base": {"ref": "main"}}}, f)
        env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event}
        full = dict(os.environ, **env)
        p = subprocess.run([BINARY, "describe", "affected"], cwd=self.repo, env=full, capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.triples(json.loads(p.stdout)), [("tgw", "core-use2-network", "component")])

    def test_bad_input(self):
        p = self.run_atmos("describe", "affected", "--base", "no-such-branch")
        self.assertEqual(p.returncode, 1)
        self.assertIn("the base 'no-such-branch' does not exist in the repository at", p.stderr)
        self.assertIn("git fetch origin no-such-branch", p.stderr)
        p = self.run_atmos("describe", "affected")
        self.assertIn("the base 'refs/remotes/origin/HEAD' does not exist", p.stderr)
        self.assertIn("--base", p.stderr)

        plain = os.path.join(self.tmp, "plain")
        shutil.copytree(ACME, plain)
        p = self.run_atmos("describe", "affected", "--base", "main", cwd=plain)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"'{os.path.realpath(plain)}' is not inside a git repository", p.stderr)

        self.append("components/terraform/tgw/main.tf", "\n# second\n")
        self.git("commit", "-qam", "second")
        shallow = os.path.join(self.tmp, "shallow")
        self.git("clone", "-q", "--depth", "1", "file://" + self.repo, shallow, cwd=self.tmp)
        p = self.run_atmos("describe", "affected", "--base", "HEAD~1", cwd=shallow)
        self.assertEqual(p.returncode, 1)
        self.assertIn("is a shallow clone and does not contain the base 'HEAD~1'", p.stderr)
        self.assertIn("git fetch --unshallow", p.stderr)

        p = self.run_atmos("describe", "affected", "--repo-path", plain)
        self.assertIn(f"--repo-path '{plain}' is not a git repository", p.stderr)
        p = self.run_atmos("describe", "affected", "--base", "main", "--format", "csv")
        self.assertIn("invalid '--format' flag 'csv'", p.stderr)

    def test_describe_dependents_and_cycle(self):
        p = self.run_atmos("describe", "dependents", "vpc", "-s", "plat-use2-dev")
        self.assertEqual(p.returncode, 0, p.stderr)
        deps = json.loads(p.stdout)
        self.assertEqual(deps, [{"component": "dns-zone", "component_type": "terraform",
                                 "component_path": "components/terraform/dns-zone", "namespace": "acme",
                                 "tenant": "plat", "environment": "use2", "stage": "dev", "stack": "plat-use2-dev",
                                 "stack_slug": "plat-use2-dev-dns-zone", "dependents": None,
                                 "included_in_dependents": False, "settings": None}])
        p = self.run_atmos("describe", "dependents", "dns-zone", "-s", "plat-use2-dev")
        self.assertEqual(json.loads(p.stdout), [])
        p = self.run_atmos("describe", "dependents", "vpc")
        self.assertIn("`--stack` (-s) is required", p.stderr)

        self.append("stacks/catalog/vpc.yaml", "      settings:\n        depends_on:\n          1:\n            component: dns-zone\n")
        p = self.run_atmos("describe", "dependents", "vpc", "-s", "plat-use2-dev")
        self.assertEqual(p.returncode, 1)
        self.assertIn("dependency cycle: vpc in plat-use2-dev → dns-zone in plat-use2-dev → vpc in plat-use2-dev", p.stderr)
        p = self.run_atmos("describe", "affected", "--base", "main", "--include-dependents")
        self.assertEqual(p.returncode, 1)
        self.assertIn("dependency cycle:", p.stderr)

    def integrations_setup(self):
        """Spacelift and Atlantis settings in the base commit: vpc by the default names and an atlantis.yaml
        project template, tgw by patterns, dns-zone by an explicit Spacelift stack name."""
        self.append("atmos.yaml", "\nintegrations:\n  atlantis:\n    project_templates:\n      project-1:\n"
                                  "        name: \"{tenant}-{environment}-{stage}-{component}\"\n")
        self.append("stacks/catalog/vpc.yaml", "      settings:\n        spacelift:\n          workspace_enabled: true\n"
                                               "        atlantis:\n          project_template_name: project-1\n")
        self.append("stacks/catalog/tgw.yaml", "      settings:\n        spacelift:\n          workspace_enabled: true\n"
                                               "          stack_name_pattern: \"{namespace}-{tenant}-{stage}-{component}\"\n"
                                               "        atlantis:\n          project_template:\n            name: \"{component}-{stage}\"\n")
        self.replace("stacks/catalog/dns-zone.yaml", "      settings:\n        depends_on:",
                     "      settings:\n        spacelift:\n          workspace_enabled: true\n          stack_name: dns-explicit\n"
                     "        depends_on:")
        self.git("commit", "-qam", "integrations")

    def names(self, items):
        return [(a["component"], a["stack"], a.get("spacelift_stack"), a.get("atlantis_project")) for a in items]

    def test_spacelift_stack_and_atlantis_project(self):
        self.integrations_setup()
        self.append("stacks/orgs/acme/core/network/us-east-2.yaml", "\nvars:\n  extra: 1\n")
        items = self.affected()
        self.assertEqual(self.names(items), [("dns-zone", "core-use2-network", "dns-explicit", None),
                                             ("tgw", "core-use2-network", "acme-core-network-tgw", "tgw-network"),
                                             ("vpc", "core-use2-network", "core-use2-network-vpc", "core-use2-network-vpc")])
        self.assertEqual(list(items[2]), ["component", "component_type", "component_path", "stack", "stack_slug",
                                          "spacelift_stack", "atlantis_project", "affected", "affected_all", "dependents",
                                          "included_in_dependents", "settings"])
        # With stacks.name_pattern the default Spacelift name is the pattern's context prefix plus the component.
        self.replace("atmos.yaml", 'name_template: "{{ .vars.tenant }}-{{ .vars.environment }}-{{ .vars.stage }}"',
                     'name_pattern: "{namespace}-{tenant}-{stage}"')
        items = self.affected()
        self.assertEqual(self.names(items), [("dns-zone", "acme-core-network", "dns-explicit", None),
                                             ("tgw", "acme-core-network", "acme-core-network-tgw", "tgw-network"),
                                             ("vpc", "acme-core-network", "acme-core-network-vpc", "core-use2-network-vpc")])
        # Stacks named after their files: a Spacelift stack cannot be named, as upstream.
        self.replace("atmos.yaml", 'name_pattern: "{namespace}-{tenant}-{stage}"', "")
        p = self.run_atmos("describe", "affected", "--base", "main")
        self.assertEqual(p.returncode, 1)
        self.assertIn("'stacks.name_template' (or the deprecated 'stacks.name_pattern') needs to be specified in 'atmos.yaml'",
                      p.stderr)

    def test_integration_names_of_dependents_and_deleted(self):
        self.integrations_setup()
        p = self.run_atmos("describe", "dependents", "vpc", "-s", "core-use2-network")
        self.assertEqual(p.returncode, 0, p.stderr)
        deps = json.loads(p.stdout)
        self.assertEqual(self.names(deps), [("dns-zone", "core-use2-network", "dns-explicit", None)])
        self.assertEqual(list(deps[0])[8:], ["stack_slug", "spacelift_stack", "dependents", "included_in_dependents", "settings"])
        self.append("stacks/orgs/acme/core/network/us-east-2.yaml", "\nvars:\n  extra: 1\n")
        items = self.affected("--include-dependents")
        self.assertEqual(self.names(items[2]["dependents"]), [("dns-zone", "core-use2-network", "dns-explicit", None)])
        self.git("checkout", "-q", "--", ".")
        self.git("rm", "-q", "stacks/orgs/acme/core/network/us-east-2.yaml")
        items = self.affected()
        self.assertEqual(self.names(items), [("dns-zone", "core-use2-network", "dns-explicit", None),
                                             ("tgw", "core-use2-network", "acme-core-network-tgw", "tgw-network"),
                                             ("vpc", "core-use2-network", "core-use2-network-vpc", "core-use2-network-vpc")])
        self.assertEqual(list(items[2])[7:11], ["stack", "stack_slug", "spacelift_stack", "atlantis_project"])
        self.assertEqual(items[2]["affected"], "deleted.stack")

    def test_include_spacelift_admin_stacks(self):
        self.append("stacks/orgs/acme/core/auto/us-east-2.yaml",
                    "\ncomponents:\n  terraform:\n    admin:\n      metadata:\n        component: vpc\n"
                    "      settings:\n        spacelift:\n          workspace_enabled: true\n      vars:\n        name: admin\n")
        self.append("stacks/catalog/vpc.yaml", "      settings:\n        spacelift:\n          workspace_enabled: true\n"
                                               "          admin_stack_selector:\n            component: admin\n"
                                               "            tenant: core\n            stage: auto\n")
        self.git("commit", "-qam", "admin stack")
        self.append("stacks/orgs/acme/plat/dev/us-east-2.yaml",
                    "\ncomponents:\n  terraform:\n    vpc:\n      vars:\n        max_subnet_count: 2\n")
        self.assertEqual(self.names(self.affected()), [("vpc", "plat-use2-dev", "plat-use2-dev-vpc", None)])
        items = self.affected("--include-spacelift-admin-stacks")
        self.assertEqual(self.names(items), [("admin", "core-use2-auto", "core-use2-auto-admin", None),
                                             ("vpc", "plat-use2-dev", "plat-use2-dev-vpc", None)])
        self.assertEqual(items[0]["affected_all"], ["stack.settings.spacelift.admin_stack_selector"])
        self.assertEqual(items[0]["component_path"], "components/terraform/vpc")
        # An admin stack affected on its own too lists both reasons once.
        self.replace("stacks/orgs/acme/core/auto/us-east-2.yaml", "name: admin", "name: admin2")
        items = self.affected("--include-spacelift-admin-stacks")
        self.assertEqual([(a["component"], a["stack"], a["affected_all"]) for a in items],
                         [("admin", "core-use2-auto", ["stack.vars", "stack.settings.spacelift.admin_stack_selector"]),
                          ("vpc", "plat-use2-dev", ["stack.vars"])])
        self.replace("stacks/orgs/acme/core/auto/us-east-2.yaml", "workspace_enabled: true", "workspace_enabled: false")
        p = self.run_atmos("describe", "affected", "--base", "main", "--include-spacelift-admin-stacks")
        self.assertEqual(p.returncode, 1)
        self.assertIn("component 'vpc' in the stack 'plat-use2-dev' has the section 'settings.spacelift.admin_stack_selector' "
                      "to point to the Spacelift admin component 'admin' in the stack 'core-use2-auto', but that component has "
                      "Spacelift workspace disabled", p.stderr)

    def pro_server(self, responses):
        """A stand-in for Atmos Pro (and GitHub's ID token endpoint) on a free loopback port: `responses` maps a
        path (without the query) to (status, body), or to a list of them answered in turn (the last one repeats);
        every request is recorded."""
        requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def handle_one(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode() if length else ""
                requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body})
                answers = responses.get(self.path.split("?")[0], (404, "{}"))
                if isinstance(answers, list):
                    status, answer = answers.pop(0) if len(answers) > 1 else answers[0]
                else:
                    status, answer = answers
                data = answer.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = handle_one

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return f"http://127.0.0.1:{server.server_address[1]}", requests

    def upload_setup(self):
        """vpc with settings.pro in the base; on a feature branch a committed vars change of vpc in plat-use2-dev,
        whose dependent is dns-zone there."""
        self.append("stacks/catalog/vpc.yaml", "      settings:\n        pro:\n          drift_detection:\n            enabled: true\n")
        self.git("commit", "-qam", "pro settings")
        self.git("remote", "add", "origin", "https://github.com/acme/infra.git")
        self.git("update-ref", "refs/remotes/origin/main", "main")
        self.git("checkout", "-q", "-b", "feature")
        self.append("stacks/orgs/acme/plat/dev/us-east-2.yaml",
                    "\ncomponents:\n  terraform:\n    vpc:\n      vars:\n        max_subnet_count: 2\n")
        self.git("commit", "-qam", "change")

    def rev(self, ref):
        return subprocess.run(["git", "rev-parse", ref], cwd=self.repo, capture_output=True, text=True, check=True).stdout.strip()

    def expected_upload(self, head_sha):
        return {"head_sha": head_sha, "base_sha": self.rev("main"), "repo_url": "https://github.com/acme/infra.git",
                "repo_name": "infra", "repo_owner": "acme", "repo_host": "github.com",
                "stacks": [{"component": "vpc", "component_type": "", "component_path": "", "stack": "plat-use2-dev",
                            "stack_slug": "", "affected": "", "affected_all": None,
                            "dependents": [{"component": "dns-zone", "component_type": "", "component_path": "",
                                            "stack": "plat-use2-dev", "stack_slug": "", "dependents": [],
                                            "included_in_dependents": False, "settings": None}],
                            "included_in_dependents": False, "settings": {"pro": {"drift_detection": {"enabled": True}}}}]}

    def test_upload_with_token(self):
        self.upload_setup()
        url, requests = self.pro_server({"/api/v1/affected-stacks": (200, '{"success":true}')})
        env = {"ATMOS_PRO_TOKEN": "tok-secret-123", "ATMOS_PRO_BASE_URL": url}
        p = self.run_atmos("describe", "affected", "--base", "main", "--upload", env=env)
        self.assertEqual((p.returncode, p.stdout), (0, ""), p.stderr)
        self.assertIn("Uploaded 1 affected component(s) to Atmos Pro", p.stderr)
        self.assertNotIn("tok-secret-123", p.stderr)
        self.assertEqual(len(requests), 1)
        r = requests[0]
        self.assertEqual((r["method"], r["path"]), ("POST", "/api/v1/affected-stacks"))
        self.assertEqual(r["headers"]["Authorization"], "Bearer tok-secret-123")
        self.assertEqual(r["headers"]["Content-Type"], "application/json")
        self.assertRegex(r["headers"]["User-Agent"], r"^atmos/\S+ \(linux; (amd64|arm64)\)$")
        body = json.loads(r["body"])
        self.assertEqual(body, self.expected_upload(self.rev("HEAD")))
        self.assertEqual(list(body), ["head_sha", "base_sha", "repo_url", "repo_name", "repo_owner", "repo_host", "stacks"])
        self.assertEqual(list(body["stacks"][0]), ["component", "component_type", "component_path", "stack", "stack_slug",
                                                   "affected", "affected_all", "dependents", "included_in_dependents", "settings"])
        # --verbose prints what is sent; a settings.pro.endpoint in atmos.yaml chooses the path; credentials in the
        # remote's URL are not sent.
        self.append("atmos.yaml", "\nsettings:\n  pro:\n    endpoint: api/v2\n")
        self.git("remote", "set-url", "origin", "https://x-access-token:ghs_remote_secret@github.com/acme/infra.git")
        url2, requests2 = self.pro_server({"/api/v2/affected-stacks": (200, "")})
        p = self.run_atmos("describe", "affected", "--base", "main", "--upload", "--verbose",
                           env=dict(env, ATMOS_PRO_BASE_URL=url2))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), self.expected_upload(self.rev("HEAD"))["stacks"])
        self.assertEqual([r["path"] for r in requests2], ["/api/v2/affected-stacks"])
        self.assertEqual(json.loads(requests2[0]["body"])["repo_url"], "https://github.com/acme/infra.git")
        self.assertNotIn("tok-secret-123", p.stdout + p.stderr)
        # The token and the base URL from atmos.yaml; --file writes what is sent.
        url3, requests3 = self.pro_server({"/api/v2/affected-stacks": (200, "{}")})
        self.append("atmos.yaml", f"    token: cfg-token-secret\n    base_url: {url3}\n")
        dest = os.path.join(self.tmp, "sent.json")
        p = self.run_atmos("describe", "affected", "--base", "main", "--upload", "--file", dest)
        self.assertEqual((p.returncode, p.stdout), (0, ""), p.stderr)
        with open(dest) as f:
            self.assertEqual(json.load(f), self.expected_upload(self.rev("HEAD"))["stacks"])
        self.assertEqual([r["headers"]["Authorization"] for r in requests3], ["Bearer cfg-token-secret"])
        self.assertNotIn("cfg-token-secret", p.stderr)
        self.git("remote", "set-url", "origin", "https://x-access-token:ghs_remote_secret@github.com/")
        p = self.run_atmos("describe", "affected", "--base", "main", "--upload", env=env)
        self.assertIn("failed to parse the repository URL 'https://github.com/'", p.stderr)
        self.assertNotIn("ghs_remote_secret", p.stderr)

    def test_upload_with_github_oidc_in_a_pull_request(self):
        self.upload_setup()
        self.append("atmos.yaml", "\nci:\n  enabled: true\n")
        self.git("commit", "-qam", "ci")
        url, requests = self.pro_server({"/token": (200, '{"value":"id-jwt-secret"}'),
                                         "/api/v1/auth/github-oidc": (200, '{"success":true,"data":{"token":"pro-jwt-secret"}}'),
                                         "/api/v1/affected-stacks": (200, '{"success":true}')})
        event = os.path.join(self.tmp, "event.json")
        with open(event, "w") as f:
            json.dump({"pull_request": {"base": {"ref": "main"}, "head": {"sha": "f" * 40}}}, f)
        env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event,
               "ACTIONS_ID_TOKEN_REQUEST_URL": url + "/token?api-version=2.0", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "req-secret",
               "ATMOS_PRO_WORKSPACE_ID": "ws-1", "ATMOS_PRO_BASE_URL": url, "ATMOS_LOGS_LEVEL": "Trace"}
        full = dict(os.environ, HTTPS_PROXY="http://127.0.0.1:9", NO_PROXY="127.0.0.1,localhost", **env)
        full.pop("ATMOS_PRO_TOKEN", None)
        full.pop("ATMOS_PRO_ENDPOINT", None)
        p = subprocess.run([BINARY, "describe", "affected", "--upload"], cwd=self.repo, env=full, capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        for secret in ("req-secret", "id-jwt-secret", "pro-jwt-secret"):
            self.assertNotIn(secret, p.stdout + p.stderr)
        self.assertEqual([(r["method"], r["path"]) for r in requests],
                         [("GET", "/token?api-version=2.0&audience=atmos-pro.com"), ("POST", "/api/v1/auth/github-oidc"),
                          ("POST", "/api/v1/affected-stacks")])
        self.assertEqual(requests[0]["headers"]["Authorization"], "bearer req-secret")
        self.assertEqual(json.loads(requests[1]["body"]), {"token": "id-jwt-secret", "workspaceId": "ws-1"})
        self.assertNotIn("Authorization", requests[1]["headers"])
        self.assertEqual(requests[2]["headers"]["Authorization"], "Bearer pro-jwt-secret")
        expected = self.expected_upload("f" * 40)
        expected["base_sha"] = self.rev("main")
        self.assertEqual(json.loads(requests[2]["body"]), expected)

        # A 401 makes a fresh exchange of a fresh ID token, then the upload is tried again.
        url2, requests2 = self.pro_server({"/token": (200, '{"value":"id-jwt-secret"}'),
                                           "/api/v1/auth/github-oidc": [(200, '{"success":true,"data":{"token":"pro-jwt-1"}}'),
                                                                        (200, '{"success":true,"data":{"token":"pro-jwt-2"}}')],
                                           "/api/v1/affected-stacks": [(401, '{"success":false}'), (200, "{}")]})
        retry_env = dict(full, ACTIONS_ID_TOKEN_REQUEST_URL=url2 + "/token", ATMOS_PRO_BASE_URL=url2)
        p = subprocess.run([BINARY, "describe", "affected", "--upload"], cwd=self.repo, env=retry_env, capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([r["path"].split("?")[0] for r in requests2],
                         ["/token", "/api/v1/auth/github-oidc", "/api/v1/affected-stacks"] * 2)
        self.assertEqual([r["headers"]["Authorization"] for r in requests2 if "affected-stacks" in r["path"]],
                         ["Bearer pro-jwt-1", "Bearer pro-jwt-2"])

        # A push cannot be correlated with a check run: refused before anything is sent.
        with open(event, "w") as f:
            json.dump({"before": self.rev("main")}, f)
        full["GITHUB_EVENT_NAME"] = "push"
        p = subprocess.run([BINARY, "describe", "affected", "--upload"], cwd=self.repo, env=full, capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("upload requires a supported CI event", p.stderr)
        self.assertIn('detected CI event "push", but Atmos Pro only supports pull_request, pull_request_target, and '
                      "merge_group events", p.stderr)
        self.assertEqual(len(requests), 3)

    def test_upload_deleted_entries_and_batches(self):
        self.upload_setup()
        self.replace("stacks/catalog/vpc.yaml", "max_subnet_count: 3", "max_subnet_count: 4")
        self.git("rm", "-q", "stacks/orgs/acme/plat/sandbox/us-east-2.yaml")
        url, requests = self.pro_server({"/api/v1/affected-stacks": [(503, "{}"), (200, "{}")]})
        env = {"ATMOS_PRO_TOKEN": "tok-secret-123", "ATMOS_PRO_BASE_URL": url}
        p = self.run_atmos("describe", "affected", "--base", "main", "--upload", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(requests), 2)  # the 503 was tried again
        whole = json.loads(requests[1]["body"])
        stacks = whole["stacks"]
        self.assertEqual([(a["component"], a["stack"], a.get("deleted"), a.get("deletion_type")) for a in stacks],
                         [("vpc", s, None, None) for s in ALL_STACKS if s != "plat-use2-sandbox"] +
                         [("dns-zone", "plat-use2-sandbox", True, "stack"), ("vpc", "plat-use2-sandbox", True, "stack")])
        self.assertEqual(list(stacks[-1])[-3:], ["settings", "deleted", "deletion_type"])
        self.assertNotIn("batch_id", whole)

        # Over settings.pro.max_payload_bytes the list goes in chunks sized by the average entry, as upstream.
        max_bytes = 1500
        self.append("atmos.yaml", f"\nsettings:\n  pro:\n    max_payload_bytes: {max_bytes}\n")
        url, requests = self.pro_server({"/api/v1/affected-stacks": (200, "{}")})
        p = self.run_atmos("describe", "affected", "--base", "main", "--upload", env=dict(env, ATMOS_PRO_BASE_URL=url))
        self.assertEqual(p.returncode, 0, p.stderr)
        compact = lambda v: len(json.dumps(v, separators=(",", ":")))
        overhead = compact(dict(whole, stacks=[]))
        per_chunk = (max_bytes - overhead - 200) // (compact(stacks) // len(stacks))
        bodies = [json.loads(r["body"]) for r in requests]
        total = -(-len(stacks) // per_chunk)
        self.assertGreater(total, 1)
        self.assertEqual([(b["batch_index"], b["batch_total"], len(b["stacks"])) for b in bodies],
                         [(i, total, min(per_chunk, len(stacks) - i * per_chunk)) for i in range(total)])
        self.assertRegex(bodies[0]["batch_id"], r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        self.assertEqual({b["batch_id"] for b in bodies}, {bodies[0]["batch_id"]})
        self.assertEqual([a for b in bodies for a in b["stacks"]], stacks)
        self.assertEqual(list(bodies[0])[-4:], ["stacks", "batch_id", "batch_index", "batch_total"])
        self.assertIn(f"Uploaded {len(stacks)} affected component(s) to Atmos Pro", p.stderr)

    def test_upload_errors(self):
        self.upload_setup()
        url, requests = self.pro_server({
            "/forbidden/affected-stacks": (403, '{"success":false,"errorMessage":"repository not allowed","traceId":"t-1"}'),
            "/broken/affected-stacks": (500, "<html>oops</html>"),
            "/bad-ws/auth/github-oidc": (401, '{"success":false,"errorMessage":"unknown workspace"}'),
            "/token": (200, '{"value":"id-jwt-secret"}')})
        token = {"ATMOS_PRO_TOKEN": "tok-secret-123", "ATMOS_PRO_BASE_URL": url}
        cases = [
            ({"ATMOS_PRO_BASE_URL": url}, ["failed to create API client", "ATMOS_PRO_TOKEN is not set",
                                           "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set"]),
            ({"ATMOS_PRO_BASE_URL": url, "ACTIONS_ID_TOKEN_REQUEST_URL": url + "/token", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "req-secret"},
             ["workspace ID environment variable is required for OIDC authentication", "ATMOS_PRO_WORKSPACE_ID"]),
            ({"ATMOS_PRO_BASE_URL": url, "ATMOS_PRO_ENDPOINT": "bad-ws", "ATMOS_PRO_WORKSPACE_ID": "ws-9",
              "ACTIONS_ID_TOKEN_REQUEST_URL": url + "/token", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "req-secret"},
             ["failed to exchange OIDC token", "Atmos Pro answered HTTP 401: unknown workspace"]),
            ({"ATMOS_PRO_BASE_URL": url, "ATMOS_PRO_WORKSPACE_ID": "ws-9",
              "ACTIONS_ID_TOKEN_REQUEST_URL": "http://example.com/token", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "req-secret"},
             ["failed to get GitHub OIDC token", "must be an https URL"]),
            (dict(token, ATMOS_PRO_ENDPOINT="forbidden"),
             ["failed to upload stacks", "Atmos Pro answered HTTP 403: repository not allowed", "trace_id: t-1",
              "Permissions are configured per repository"]),
            (dict(token, ATMOS_PRO_ENDPOINT="broken"), ["failed to upload stacks", "Atmos Pro answered HTTP 500: the answer is not JSON",
                                                         "(gave up after 4 attempts)"]),
            (dict(token, ATMOS_PRO_BASE_URL="http://127.0.0.1:9"), ["failed to upload stacks", "failed to make request",
                                                                    "(gave up after 4 attempts)"]),
            (dict(token, ATMOS_PRO_BASE_URL="http://example.com"), ["invalid Atmos Pro base URL 'http://example.com'"]),
        ]
        for env, messages in cases:
            p = self.run_atmos("describe", "affected", "--base", "main", "--upload", env=env)
            self.assertEqual((p.returncode, p.stdout), (1, ""), env)
            for m in messages:
                self.assertIn(m, p.stderr, env)
            for secret in ("tok-secret-123", "req-secret", "id-jwt-secret"):
                self.assertNotIn(secret, p.stderr)
        for args, message in ((["--query", ".[0]"], "--upload cannot be combined with --query"),
                              (["--format", "matrix"], "--upload cannot be combined with --format=matrix")):
            p = self.run_atmos("describe", "affected", "--base", "main", "--upload", *args, env=token)
            self.assertEqual(p.returncode, 1)
            self.assertIn(message, p.stderr)
        self.git("remote", "remove", "origin")
        p = self.run_atmos("describe", "affected", "--base", "main", "--upload", env=token)
        self.assertIn("--upload needs the repository's git remote", p.stderr)
        self.git("remote", "add", "origin", "/srv/git/infra")
        p = self.run_atmos("describe", "affected", "--base", "main", "--upload", env=token)
        self.assertIn("failed to parse the repository URL '/srv/git/infra'", p.stderr)
        # A 403 is final; a 5xx is tried again after 1, 2 and 4 seconds.
        self.assertEqual([r["path"] for r in requests if "affected-stacks" in r["path"]],
                         ["/forbidden/affected-stacks"] + ["/broken/affected-stacks"] * 4)

    def terraform(self, *args):
        return self.run_atmos("terraform", *args, env={"ATMOS_IDENTITY": "false", "CHECKPOINT_DISABLE": "1",
                                                         "TF_IN_AUTOMATION": "1", "ATMOS_COMPONENTS_TERRAFORM_AUTO_GENERATE_BACKEND_FILE": "false"})

    def summary(self, stderr):
        rows = stderr[stderr.rindex("INSTANCE"):].splitlines()[1:]
        return [tuple(c.strip() for c in line.split("  ") if c.strip()) for line in rows]

    def test_terraform_many_instances_offline(self):
        p = self.terraform("plan", "--all", "-s", "plat-use2-dev", "--max-concurrency", "2", "--auto-generate-backend-file=false",
                           "--", "-no-color")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual([r[:3] for r in self.summary(p.stderr)],
                         [("vpc in plat-use2-dev", "(none)", "ok"), ("dns-zone in plat-use2-dev", "(none)", "ok")])
        self.assertEqual(p.stdout.count("Plan: 1 to add"), 2)
        self.assertLess(p.stderr.index("[1/2] vpc in plat-use2-dev: ok"), p.stderr.index("dns-zone in plat-use2-dev as"))

        p = self.terraform("destroy", "--components", "vpc,dns-zone", "-s", "plat-use2-dev", "--dry-run")
        self.assertEqual(p.stdout, "Plan of work: terraform destroy on 2 instances (dependents first), at most 1 at once\n"
                                   "1. dns-zone in plat-use2-dev as (none)\n"
                                   "   atmos terraform destroy dns-zone -s plat-use2-dev\n"
                                   "2. vpc in plat-use2-dev as (none) after dns-zone in plat-use2-dev\n"
                                   "   atmos terraform destroy vpc -s plat-use2-dev\n")
        p = self.terraform("plan", "--query", ".vars.amazon_side_asn", "--dry-run")
        self.assertEqual(p.stdout.splitlines()[1:], ["1. tgw in core-use2-network as (none)",
                                                     "   atmos terraform plan tgw -s core-use2-network"])
        # upstream's documented form: a comparison selects the instances where it is true
        p = self.terraform("plan", "--query", '.vars.stage == "prod" and .vars.name == "vpc"', "--dry-run")
        self.assertEqual(p.stdout.splitlines()[1:], ["1. vpc in plat-use2-prod as (none)",
                                                     "   atmos terraform plan vpc -s plat-use2-prod"], p.stderr)
        self.append("components/terraform/tgw/main.tf", "\n# changed\n")
        p = self.terraform("apply", "--affected", "--base", "main", "--dry-run", "--", "-auto-approve")
        self.assertEqual(p.stdout.splitlines()[1:], ["1. tgw in core-use2-network as (none)",
                                                     "   atmos terraform apply tgw -s core-use2-network -- -auto-approve"])

    def test_terraform_failure_skips_dependents_only(self):
        self.append("stacks/orgs/acme/plat/dev/us-east-2.yaml",
                    "  - catalog/tgw\n\ncomponents:\n  terraform:\n    vpc:\n      vars:\n        max_subnet_count: many\n")
        p = self.terraform("plan", "--all", "-s", "plat-use2-dev", "--auto-generate-backend-file=false", "--", "-no-color")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual([r[:3] for r in self.summary(p.stderr)],
                         [("tgw in plat-use2-dev", "(none)", "ok"), ("vpc in plat-use2-dev", "(none)", "failed (exit 1)"),
                          ("dns-zone in plat-use2-dev", "(none)", "skipped (a dependency failed)")])

    def test_terraform_many_instances_bad_input(self):
        for args, message in ((["output", "--all"], "run plan, apply, deploy or destroy, not 'output'"),
                              (["plan", "vpc", "--all"], "do not name one ('vpc')"),
                              (["plan", "--all", "--max-concurrency", "0"], "invalid --max-concurrency '0'")):
            p = self.terraform(*args)
            self.assertEqual(p.returncode, 1, args)
            self.assertIn(message, p.stderr)
        self.append("stacks/catalog/vpc.yaml", "      settings:\n        depends_on:\n          1:\n            component: dns-zone\n")
        p = self.terraform("plan", "--all", "-s", "plat-use2-dev", "--dry-run")
        self.assertEqual(p.returncode, 1)
        self.assertIn("dependency cycle: ", p.stderr)
        self.assertIn("dns-zone in plat-use2-dev", p.stderr)

    def test_list_affected_and_instances(self):
        self.append("components/terraform/tgw/main.tf", "\n# a comment\n")
        p = self.run_atmos("list", "affected", "--base", "main", "--format", "csv")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "Component,Stack,Type,Affected,Path\ntgw,core-use2-network,terraform,component,components/terraform/tgw\n")
        p = self.run_atmos("list", "affected", "--base", "main", "--format", "matrix")
        self.assertEqual(json.loads(p.stdout)["include"][0]["component"], "tgw")
        p = self.run_atmos("list", "instances", "--format", "matrix", "-s", "core-use2-network")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([(e["component"], e["stack"]) for e in json.loads(p.stdout)["include"]],
                         [("dns-zone", "core-use2-network"), ("tgw", "core-use2-network"), ("vpc", "core-use2-network")])

    def test_list_sort(self):
        # upstream's --sort column:order,... (pkg/list/sort), on every table-shaped list command
        self.replace("stacks/catalog/vpc.yaml", "max_subnet_count: 3", "max_subnet_count: 4")
        self.append("components/terraform/tgw/main.tf", "\n# a comment\n")
        p = self.run_atmos("list", "affected", "--base", "main", "--format", "csv", "--sort", "component:asc,stack:desc")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = [line.split(",")[:2] for line in p.stdout.splitlines()[1:]]
        self.assertEqual(rows, [["tgw", "core-use2-network"]] + [["vpc", s] for s in reversed(ALL_STACKS)])
        p = self.run_atmos("list", "instances", "-s", "core-use2-network", "--format", "csv", "--sort", "component:desc")
        self.assertEqual(p.stdout, "Component,Stack\nvpc,core-use2-network\ntgw,core-use2-network\ndns-zone,core-use2-network\n")
        p = self.run_atmos("list", "stacks", "--format", "csv", env={"ATMOS_LIST_SORT": "stack:desc"})
        self.assertEqual(p.stdout.splitlines(), ["Stack"] + list(reversed(ALL_STACKS)))
        p = self.run_atmos("list", "components", "--format", "csv", "--sort", "stacks:asc,component:desc")
        self.assertEqual(p.stdout.splitlines(), ["Component,Type,Stacks", "tgw,terraform,1", "vpc,terraform,8", "dns-zone,terraform,8"])
        for spec, message in (("stack", "invalid sort spec \"stack\", expected format 'column:order'"),
                              ("stack:up", "invalid sort order \"up\", expected 'asc' or 'desc'"),
                              ("region:asc", "cannot sort by column \"Region\": it is not one of the columns (Stack)")):
            p = self.run_atmos("list", "stacks", "--sort", spec)
            self.assertEqual(p.returncode, 1)
            self.assertIn(message, p.stderr)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main()
