"""The lab process's contract: `lab.py --port 0 --ready-file F` writes {"endpoint", "pid"} once it serves,
exits 0 and removes F on SIGTERM, rejects a bad scenario; labctl run stops the lab whatever the command does."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAB = os.path.join(HERE, "lab.py")
LABCTL = os.path.join(HERE, "labctl.py")


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


class LabProcess(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix="lab-process-")
        self.ready_file = os.path.join(self.directory, "ready.json")

    def start(self, *args: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, LAB, "--port", "0", "--ready-file", self.ready_file, *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self.addCleanup(lambda: (process.kill(), process.communicate()))
        return process

    def wait_ready(self, process: subprocess.Popen) -> dict:
        deadline = time.monotonic() + 30
        while not os.path.exists(self.ready_file):
            self.assertIsNone(process.poll(), "lab exited before it was ready")
            self.assertLess(time.monotonic(), deadline, "lab not ready within 30 s")
            time.sleep(0.01)
        with open(self.ready_file) as handle:
            return json.load(handle)

    def test_ReadyFileNamesEndpointAndPidAndSigtermExitsCleanly(self):
        process = self.start()
        ready = self.wait_ready(process)
        self.assertEqual(set(ready), {"endpoint", "pid"})
        self.assertEqual(ready["pid"], process.pid)
        self.assertRegex(ready["endpoint"], r"^http://127\.0\.0\.1:\d+$")
        with urllib.request.urlopen(ready["endpoint"] + "/_lab/health", timeout=10) as response:
            self.assertEqual(json.load(response), {"status": "ok"})
        process.send_signal(signal.SIGTERM)
        self.assertEqual(process.wait(timeout=10), 0)
        self.assertFalse(os.path.exists(self.ready_file))

    def test_TwoLabsGetDifferentPorts(self):
        first = self.wait_ready(self.start())
        os.rename(self.ready_file, self.ready_file + ".first")
        second = self.wait_ready(self.start())
        self.assertNotEqual(first["endpoint"], second["endpoint"])

    def test_BadScenarioExitsWithStatus2(self):
        scenario = os.path.join(self.directory, "bad.yaml")
        with open(scenario, "w") as handle:
            handle.write("accounts:\n  - {id: 12, name: short}\n")
        process = self.start("--scenario", scenario)
        _, stderr = process.communicate(timeout=30)
        self.assertEqual(process.returncode, 2)
        self.assertIn(b"id must be 12 digits", stderr)
        self.assertFalse(os.path.exists(self.ready_file))

    def test_IdleTimeoutEndsTheLab(self):
        process = self.start("--idle-timeout", "1")
        self.wait_ready(process)
        self.assertEqual(process.wait(timeout=10), 0)

    def test_LabctlRunStopsTheLabAndPassesTheStatus(self):
        script = (
            "import json, os, sys, urllib.request\n"
            "urllib.request.urlopen(os.environ['ATMOS_LAB_ENDPOINT'] + '/_lab/health')\n"
            "print(json.load(open(os.path.join(os.environ['ATMOS_LAB_STATE_DIR'], 'ready.json')))['pid'])\n"
            "sys.exit(7)\n"
        )
        result = subprocess.run(
            [sys.executable, LABCTL, "run", "--", sys.executable, "-c", script], capture_output=True, text=True, timeout=60
        )
        self.assertEqual(result.returncode, 7, result.stderr)
        self.assertFalse(running(int(result.stdout)), "the lab outlived labctl run")

    def test_LabctlStartAndStop(self):
        state_dir = os.path.join(self.directory, "state")
        start = subprocess.run([sys.executable, LABCTL, "start", "--state-dir", state_dir], capture_output=True, text=True, timeout=60)
        self.assertEqual(start.returncode, 0, start.stderr)
        self.addCleanup(subprocess.run, [sys.executable, LABCTL, "stop", "--state-dir", state_dir])
        values = dict(line.split("=", 1) for line in start.stdout.split())
        with open(os.path.join(state_dir, "ready.json")) as handle:
            pid = json.load(handle)["pid"]
        with urllib.request.urlopen(values["ATMOS_LAB_ENDPOINT"] + "/_lab/health", timeout=10):
            pass
        stop = subprocess.run([sys.executable, LABCTL, "stop", "--state-dir", state_dir], capture_output=True, text=True, timeout=60)
        self.assertEqual(stop.returncode, 0, stop.stderr)
        self.assertFalse(running(pid), "the lab outlived labctl stop")


if __name__ == "__main__":
    unittest.main()
