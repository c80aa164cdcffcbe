#!/usr/bin/env python3
"""End-to-end checks of `atmos terraform` with real Terraform on a copy of examples/acme, offline: the vpc component
uses only built-in resources and local state (`--auto-generate-backend-file=false`, so the s3 backend file is not
written). Run: test_terraform.py BINARY"""
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import unittest

BINARY = None
HERE = os.path.dirname(os.path.abspath(__file__))
ACME = os.path.join(HERE, "..", "..", "examples", "acme")
LOCAL_STATE = "--auto-generate-backend-file=false"

SLOW_COMPONENT = """\
resource "terraform_data" "slow" {
  provisioner "local-exec" {
    command = "exec sleep 120"
  }
}
"""


def processes_in(directory):
    """Pids of processes whose working directory is inside `directory`."""
    found = []
    real = os.path.realpath(directory)
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if cwd == real or cwd.startswith(real + "/"):
            found.append(int(pid))
    return found


class AcmeTerraform(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="atmos-tf-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.repo = os.path.join(self.tmp, "acme")
        shutil.copytree(ACME, self.repo)
        self.vpc = os.path.join(self.repo, "components", "terraform", "vpc")
        self.env = {"PATH": os.environ.get("PATH", ""), "HOME": os.path.join(self.tmp, "home"),
                    "XDG_CACHE_HOME": os.path.join(self.tmp, "cache"), "ATMOS_GIT_ROOT_BASEPATH": "false",
                    "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost", "CHECKPOINT_DISABLE": "1",
                    # These tests exercise the runner with local state: Atmos authentication is switched off.
                    "ATMOS_IDENTITY": "false"}

    def atmos(self, *args, timeout=180):
        return subprocess.run([BINARY, *args], cwd=self.repo, env=self.env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=timeout)

    def ok(self, *args):
        p = self.atmos(*args)
        self.assertEqual(p.returncode, 0, f"atmos {' '.join(args)}\n--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}")
        return p

    def test_plan_apply_output_round_trip_in_the_stack_workspace(self):
        p = self.ok("terraform", "plan", "vpc", "-s", "plat-use2-dev", LOCAL_STATE)
        self.assertIn("1 to add, 0 to change, 0 to destroy", p.stdout)
        varfile = os.path.join(self.vpc, "plat-use2-dev-vpc.terraform.tfvars.json")
        with open(varfile) as f:
            text = f.read()
        self.assertEqual(text, json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n")
        self.assertEqual(json.loads(text)["stage"], "dev")
        self.assertEqual(stat.S_IMODE(os.stat(varfile).st_mode), 0o644)
        self.assertTrue(os.path.exists(os.path.join(self.vpc, "plat-use2-dev-vpc.planfile")))
        with open(os.path.join(self.vpc, ".terraform", "environment")) as f:
            self.assertEqual(f.read().strip(), "plat-use2-dev")
        self.assertNotIn("Switched to workspace", p.stdout)

        self.ok("terraform", "apply", "vpc", "-s", "plat-use2-dev", "--from-plan", "--skip-init", LOCAL_STATE)
        self.assertTrue(os.path.exists(os.path.join(self.vpc, "terraform.tfstate.d", "plat-use2-dev", "terraform.tfstate")))
        self.assertFalse(os.path.exists(varfile), "apply removes the varfile")
        self.assertFalse(os.path.exists(os.path.join(self.vpc, "plat-use2-dev-vpc.planfile")), "apply removes the planfile")

        out = self.ok("terraform", "output", "vpc", "-s", "plat-use2-dev", "--skip-init", LOCAL_STATE, "-raw", "vpc_id")
        self.assertEqual(out.stdout, "acme-plat-use2-dev-vpc")

    def test_detailed_exitcode_is_passed_through(self):
        p = self.atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", LOCAL_STATE, "--", "-detailed-exitcode")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.ok("terraform", "deploy", "vpc", "-s", "plat-use2-dev", LOCAL_STATE)
        p = self.atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", LOCAL_STATE, "-detailed-exitcode")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_each_stack_keeps_its_own_state(self):
        self.ok("terraform", "deploy", "vpc", "-s", "plat-use2-dev", LOCAL_STATE)
        self.ok("terraform", "deploy", "vpc", "-s", "plat-use2-prod", LOCAL_STATE)
        for stack in ("plat-use2-dev", "plat-use2-prod"):
            with open(os.path.join(self.vpc, "terraform.tfstate.d", stack, "terraform.tfstate")) as f:
                self.assertIn(f"acme-{stack}-vpc", f.read())
        out = self.ok("terraform", "output", "vpc", "-s", "plat-use2-prod", "--skip-init", LOCAL_STATE, "-raw", "vpc_id")
        self.assertEqual(out.stdout, "acme-plat-use2-prod-vpc")

    def test_dry_run_writes_nothing_and_runs_nothing(self):
        before = sorted(os.listdir(self.vpc))
        p = self.ok("terraform", "plan", "vpc", "-s", "plat-use2-dev", "--dry-run")
        self.assertEqual(p.stdout, "")
        self.assertEqual(sorted(os.listdir(self.vpc)), before)
        self.assertIn(f"would write {self.vpc}/backend.tf.json", p.stderr)
        self.assertIn(": terraform init -reconfigure\n", p.stderr)
        self.assertIn(": terraform workspace select -or-create plat-use2-dev\n", p.stderr)
        self.assertIn(": terraform plan -var-file plat-use2-dev-vpc.terraform.tfvars.json -out plat-use2-dev-vpc.planfile\n",
                      p.stderr)

    def test_generate_backend_and_varfile(self):
        self.ok("terraform", "generate", "backend", "vpc", "-s", "plat-use2-dev")
        path = os.path.join(self.vpc, "backend.tf.json")
        with open(path) as f:
            text = f.read()
        self.assertEqual(text, json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n")
        s3 = json.loads(text)["terraform"]["backend"]["s3"]
        self.assertEqual(s3["bucket"], "acme-plat-dev-tfstate")
        self.assertEqual(s3["workspace_key_prefix"], "vpc")
        self.assertIs(s3["use_lockfile"], True)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o644)
        custom = os.path.join(self.tmp, "vars.json")
        self.ok("terraform", "generate", "varfile", "vpc", "-s", "plat-use2-dev", "-f", custom)
        with open(custom) as f:
            self.assertEqual(json.load(f)["name"], "vpc")

    def add_to_dev_stack(self, yaml_text):
        with open(os.path.join(self.repo, "stacks", "orgs", "acme", "plat", "dev", "us-east-2.yaml"), "a") as f:
            f.write(yaml_text)

    def test_abstract_component_and_unknown_flag_are_refused(self):
        self.add_to_dev_stack("components:\n  terraform:\n    vpc-template:\n"
                              "      metadata: {type: abstract, component: vpc}\n")
        p = self.atmos("terraform", "plan", "vpc-template", "-s", "plat-use2-dev")
        self.assertEqual(p.returncode, 1)
        self.assertIn("**Error:** abstract component cannot be provisioned\n\nthe component 'vpc-template' cannot be "
                      "provisioned because it's marked as abstract (metadata.type: abstract)", p.stderr)
        self.assertEqual(os.listdir(self.vpc), ["main.tf"])
        p = self.atmos("terraform", "plan", "vpc", "-s", "plat-use2-dev", "--no-such-flag")
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown flag: --no-such-flag", p.stderr)

    def test_termination_during_apply_leaves_no_process_and_releases_the_lock(self):
        slow = os.path.join(self.repo, "components", "terraform", "slow")
        os.makedirs(slow)
        with open(os.path.join(slow, "main.tf"), "w") as f:
            f.write(SLOW_COMPONENT)
        self.add_to_dev_stack("components:\n  terraform:\n    slow:\n      vars: {}\n")
        proc = subprocess.Popen([BINARY, "terraform", "deploy", "slow", "-s", "plat-use2-dev", LOCAL_STATE],
                                cwd=self.repo, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        lock = os.path.join(slow, "terraform.tfstate.d", "plat-use2-dev", ".terraform.tfstate.lock.info")
        deadline = time.time() + 90
        while not os.path.exists(lock) and time.time() < deadline and proc.poll() is None:
            time.sleep(0.1)
        self.assertTrue(os.path.exists(lock), "apply never took its state lock")
        time.sleep(1.5)
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=90)
        self.assertNotEqual(proc.returncode, 0, output)
        self.assertNotEqual(proc.returncode, -signal.SIGTERM, "atmos must wait for Terraform, not die")
        self.assertFalse(os.path.exists(lock), "the state lock was not released:\n" + output)
        self.assertEqual(processes_in(slow), [], "a process was left running in the component directory")


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main()
