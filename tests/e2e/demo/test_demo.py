#!/usr/bin/env python3
"""scripts/demo leaves nothing running: it runs to the end, and afterwards no process it started — the lab,
atmos, Terraform, the sign-in "browser" — is still alive. Each process the demo starts inherits a marker
variable from this test, so its leftovers are found by their environment, whatever their name.
Run: test_demo.py REPO_ROOT."""
import os
import signal
import subprocess
import sys
import time
import unittest
import uuid

ROOT = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEMO_TIMEOUT_SECONDS = 600
# A detached process (the "browser") may need a moment to finish; a leftover lab would live for minutes.
GRACE_SECONDS = 10


def processes_with(marker):
    """{pid: command line} of every live process whose environment holds `marker`."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if marker.encode() not in f.read():
                    continue
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                if f.read().rpartition(")")[2].split()[0] == "Z":
                    continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                found[int(entry)] = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


class DemoTest(unittest.TestCase):
    def test_demo_runs_and_leaves_no_process(self):
        marker = f"ATMOS_DEMO_TEST_MARKER={uuid.uuid4().hex}"
        env = dict(os.environ)
        env[marker.split("=")[0]] = marker.split("=")[1]
        demo = subprocess.Popen([os.path.join(ROOT, "scripts", "demo")], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            output, _ = demo.communicate(timeout=DEMO_TIMEOUT_SECONDS)
        finally:
            if demo.poll() is None:
                os.killpg(demo.pid, signal.SIGKILL)
                demo.wait()
        text = output.decode(errors="replace")
        self.assertEqual(demo.returncode, 0, text)
        self.assertIn("Running as plat-dev/terraform", text)
        self.assertIn("Done: the lab is stopped", text)

        deadline = time.monotonic() + GRACE_SECONDS
        left = processes_with(marker)
        while left and time.monotonic() < deadline:
            time.sleep(0.2)
            left = processes_with(marker)
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.assertEqual(left, {}, "processes of scripts/demo still running after it exited")


if __name__ == "__main__":
    unittest.main()
