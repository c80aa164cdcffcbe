#!/usr/bin/env python3
"""A cancelled apply must release its S3 state lock: Terraform receives exactly one interrupt however the signal
is sent (docs/signals.md). Real Terraform applies a resource that sleeps, with the s3 backend (`use_lockfile`) in
the lab, whose S3 is slowed; each way of signalling is repeated ROUNDS times. Run: test_interrupts.py BINARY
(needs ATMOS_LAB_STATE_DIR)."""
import configparser
import fcntl
import json
import os
import pty
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import threading
import time
import unittest

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from acme_lab import ACME, acme_env, lab_endpoint, lab_request  # noqa: E402

BINARY = None
ROUNDS = 10
STACK = "plat-use2-dev"
BUCKET = "acme-plat-dev-tfstate"
SLOW = """\
resource "terraform_data" "slow" {
  input = timestamp()
  provisioner "local-exec" {
    command = "exec sleep 120"
  }
}
"""
GRACEFUL = "Gracefully shutting down"
FORCED = "Two interrupts received"


def on_the_terminal(slave: int):
    """preexec_fn: a new session whose controlling terminal is the pty on stdin, as a shell's foreground job has."""
    def make_controlling():
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    return make_controlling


class Interrupts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="atmos-interrupts-")
        cls.repo = os.path.join(cls.tmp, "acme")
        shutil.copytree(ACME, cls.repo)
        components = ["slow-" + mode for mode in ("ctrl-c", "kill-pid", "kill-group", "hangup", "forced")]
        for name in components:
            os.makedirs(os.path.join(cls.repo, "components", "terraform", name))
            with open(os.path.join(cls.repo, "components", "terraform", name, "main.tf"), "w") as f:
                f.write(SLOW)
        with open(os.path.join(cls.repo, "stacks", "orgs", "acme", "plat", "dev", "us-east-2.yaml"), "a") as f:
            f.write("\ncomponents:\n  terraform:\n" + "".join(f"    {name}:\n      vars: {{}}\n" for name in components))
        cls.env = acme_env(cls.tmp, "devops", user="alice")
        cls.atmos_ok("auth", "login", "--provider", "acme-sso")
        environment = json.loads(cls.atmos_ok("auth", "env", "--identity", "plat-dev/terraform", "--format", "json", "--login").stdout)
        credentials = configparser.ConfigParser()
        credentials.read(environment["AWS_SHARED_CREDENTIALS_FILE"])
        section = credentials[environment["AWS_PROFILE"]]
        cls.s3 = boto3.client("s3", region_name="us-east-2", endpoint_url=lab_endpoint(),
                              aws_access_key_id=section["aws_access_key_id"],
                              aws_secret_access_key=section["aws_secret_access_key"],
                              aws_session_token=section["aws_session_token"],
                              config=Config(s3={"addressing_style": "path"}, proxies={}))
        # Slow S3 reads and deletes: the window between Terraform's interrupt and its unlock is what a second
        # interrupt used to cut short.
        for operation in ("s3:GetObject", "s3:DeleteObject", "s3:HeadObject"):
            lab_request("/_lab/faults", {"operation": operation, "kind": "delay", "count": 100000, "delay_seconds": 0.3})

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    @classmethod
    def atmos_ok(cls, *args):
        p = subprocess.run([BINARY, *args], cwd=cls.repo, env=cls.env, capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=300)
        if p.returncode != 0:
            raise AssertionError(f"atmos {' '.join(args)}\n--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}")
        return p

    def locks(self, component: str) -> list:
        listing = self.s3.list_objects_v2(Bucket=BUCKET, Prefix=component + "/")
        return [o["Key"] for o in listing.get("Contents", []) if o["Key"].endswith(".tflock")]

    def start_apply(self, component: str, terminal: bool):
        """Starts `atmos terraform apply` and returns (process, pty master or None, output lines) once Terraform is
        creating the resource, that is while it holds the state lock."""
        argv = [BINARY, "terraform", "apply", component, "-s", STACK, "-auto-approve", "-no-color"]
        master = None
        if terminal:
            master, slave = pty.openpty()
            proc = subprocess.Popen(argv, cwd=self.repo, env=self.env, stdin=slave, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=on_the_terminal(slave))
            os.close(slave)
        else:
            proc = subprocess.Popen(argv, cwd=self.repo, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        lines = []
        creating = threading.Event()

        def read():
            for raw in proc.stdout:
                line = raw.decode(errors="replace")
                lines.append(line)
                if "terraform_data.slow: Creating..." in line:
                    creating.set()
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        if not creating.wait(180):
            proc.kill()
            self.fail(f"{component}: apply never started creating\n" + "".join(lines))
        time.sleep(0.5)
        return proc, master, lines, reader

    def finish(self, component, proc, master, lines, reader):
        try:
            code = proc.wait(timeout=120)
        finally:
            if master is not None:
                try:
                    os.close(master)
                except OSError:
                    pass
        reader.join(30)
        return code, "".join(lines)

    def interrupt(self, component: str, how: str):
        terminal = how in ("ctrl-c", "hangup")
        proc, master, lines, reader = self.start_apply(component, terminal)
        if how == "ctrl-c":
            os.write(master, b"\x03")
        elif how == "kill-pid":
            os.kill(proc.pid, signal.SIGTERM)
        elif how == "kill-group":
            os.killpg(proc.pid, signal.SIGTERM)
        elif how == "hangup":
            os.close(master)
            master = None
        return self.finish(component, proc, master, lines, reader)

    def rounds(self, how: str):
        component = "slow-" + how
        for attempt in range(ROUNDS):
            code, output = self.interrupt(component, how)
            where = f"{how}, round {attempt + 1}:\n{output}"
            self.assertNotEqual(code, 0, where)
            self.assertIn(GRACEFUL, output, where)
            self.assertNotIn(FORCED, output, where)
            self.assertEqual(self.locks(component), [], "the state lock was left behind; " + where)
        plan = subprocess.run([BINARY, "terraform", "plan", component, "-s", STACK, "-no-color", "-lock-timeout=0s"],
                              cwd=self.repo, env=self.env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=300)
        self.assertEqual(plan.returncode, 0, plan.stdout + plan.stderr)

    def test_ctrl_c_on_the_terminal(self):
        self.rounds("ctrl-c")

    def test_kill_to_the_atmos_process(self):
        self.rounds("kill-pid")

    def test_kill_to_the_process_group_as_a_ci_runner_cancels(self):
        self.rounds("kill-group")

    def test_hangup_of_a_closed_terminal(self):
        self.rounds("hangup")

    def test_a_second_ctrl_c_from_a_person_still_forces_terraform(self):
        proc, master, lines, reader = self.start_apply("slow-forced", True)
        os.write(master, b"\x03")
        deadline = time.time() + 30
        while GRACEFUL not in "".join(lines) and time.time() < deadline:
            time.sleep(0.05)
        os.write(master, b"\x03")
        code, output = self.finish("slow-forced", proc, master, lines, reader)
        self.assertNotEqual(code, 0, output)
        self.assertIn(FORCED, output)
        for key in self.locks("slow-forced"):
            self.s3.delete_object(Bucket=BUCKET, Key=key)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    if os.environ.get("ATMOS_INTERRUPT_ROUNDS"):
        ROUNDS = int(os.environ["ATMOS_INTERRUPT_ROUNDS"])
    unittest.main(verbosity=2)
