#!/usr/bin/env python3
"""Start and stop a lab for tests and scripts.

    labctl.py start --state-dir DIR [--scenario FILE] [--idle-timeout S]
        stops a lab left running for DIR, starts a detached one on a free port, waits until it serves,
        prints ATMOS_LAB_ENDPOINT=… and ATMOS_LAB_STATE_DIR=… lines; DIR/ready.json holds
        {"endpoint", "pid"}, DIR/lab.log its log
    labctl.py stop --state-dir DIR
        SIGTERM, then SIGKILL after 10 s; succeeds when no lab runs there
    labctl.py run [--scenario FILE] -- COMMAND [ARG…]
        runs COMMAND with ATMOS_LAB_ENDPOINT set against a fresh lab, stops the lab afterwards (also on
        failure or interruption) and exits with COMMAND's status
    labctl.py seed --state-dir DIR FILE
        writes the Terraform state objects FILE describes (JSON, `-` for stdin: one state or {"states": […]},
        see atmoslab/tfstate.py) into the running lab's buckets and prints one `s3://bucket/key` line each

The lab exits on its own after --idle-timeout seconds without requests (default 300) so an interrupted
test run cannot leave it behind for long."""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(HERE, "lab.py")
DEFAULT_SCENARIO = os.path.join(HERE, "scenarios", "acme.yaml")
START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 10


class LabError(RuntimeError):
    pass


class LabProcess:
    """The lab process of one state directory: start() a new one or attach() to a running one;
    stop() is idempotent."""

    def __init__(self, state_dir: str, scenario: str = DEFAULT_SCENARIO, idle_timeout: float = 300) -> None:
        self.state_dir = os.path.abspath(state_dir)
        self.scenario = scenario
        self.idle_timeout = idle_timeout
        self.endpoint = ""
        self.pid = 0
        self._process: subprocess.Popen | None = None

    @property
    def ready_file(self) -> str:
        return os.path.join(self.state_dir, "ready.json")

    @property
    def log_file(self) -> str:
        return os.path.join(self.state_dir, "lab.log")

    def start(self) -> "LabProcess":
        os.makedirs(self.state_dir, mode=0o700, exist_ok=True)
        if os.path.exists(self.ready_file):
            raise LabError(f"a lab already runs for {self.state_dir}; stop it first")
        with open(self.log_file, "ab") as log:
            process = subprocess.Popen(
                [sys.executable, LAB, "--port", "0", "--scenario", self.scenario, "--ready-file", self.ready_file,
                 "--idle-timeout", str(self.idle_timeout)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not os.path.exists(self.ready_file):
            if process.poll() is not None:
                raise LabError(f"lab exited with status {process.returncode}; see {self.log_file}")
            if time.monotonic() > deadline:
                process.kill()
                process.wait()
                raise LabError(f"lab not ready after {START_TIMEOUT_SECONDS} s; see {self.log_file}")
            time.sleep(0.02)
        self._process = process
        self._read_ready_file()
        return self

    def attach(self) -> "LabProcess":
        """Uses the lab already running for this state directory (started by another process)."""
        if not os.path.exists(self.ready_file):
            raise LabError(f"no lab runs for {self.state_dir}")
        self._read_ready_file()
        return self

    def _read_ready_file(self) -> None:
        with open(self.ready_file, encoding="utf-8") as handle:
            ready = json.load(handle)
        self.endpoint, self.pid = ready["endpoint"], int(ready["pid"])

    def stop(self) -> None:
        if not self.pid and os.path.exists(self.ready_file):
            self._read_ready_file()
        if self.pid and self._running():
            os.kill(self.pid, signal.SIGTERM)
            if not self._wait(STOP_TIMEOUT_SECONDS):
                os.kill(self.pid, signal.SIGKILL)
                self._wait(STOP_TIMEOUT_SECONDS)
        if os.path.exists(self.ready_file):
            os.unlink(self.ready_file)
        self.pid = 0

    def _running(self) -> bool:
        """Our lab is alive: our child, or a live non-zombie process whose command line names lab.py and
        this state directory's ready file (a stale ready file's pid may belong to someone else by now)."""
        if self._process is not None:
            return self._process.poll() is None
        try:
            with open(f"/proc/{self.pid}/stat", encoding="ascii") as stat:
                if stat.read().rpartition(")")[2].split()[0] == "Z":
                    return False
            with open(f"/proc/{self.pid}/cmdline", "rb") as cmdline:
                arguments = cmdline.read().decode(errors="replace").split("\0")
        except FileNotFoundError:
            return False
        return LAB in arguments and self.ready_file in arguments

    def _wait(self, timeout: float) -> bool:
        if self._process is not None:
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                return False
            return True
        deadline = time.monotonic() + timeout
        while self._running():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True


def _seed(state_dir: str, path: str) -> int:
    lab = LabProcess(state_dir).attach()
    try:
        if path == "-":
            document = json.load(sys.stdin)
        else:
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle)
    except (OSError, ValueError) as error:
        raise LabError(f"{path}: {error}") from error
    request = urllib.request.Request(
        lab.endpoint + "/_lab/terraform-state", data=json.dumps(document).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            reply = json.load(response)
    except urllib.error.HTTPError as error:
        raise LabError(f"{path}: {json.load(error).get('message', error.reason)}") from error
    for written in reply["objects"]:
        print(f"s3://{written['bucket']}/{written['key']}")
    return 0


def _run(scenario: str, command: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="atmos-lab-") as state_dir:
        lab = LabProcess(state_dir, scenario)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        try:
            lab.start()
            env = {**os.environ, "ATMOS_LAB_ENDPOINT": lab.endpoint, "ATMOS_LAB_STATE_DIR": lab.state_dir}
            return subprocess.call(command, env=env)
        except KeyboardInterrupt:
            return 130
        finally:
            lab.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start")
    start.add_argument("--state-dir", required=True)
    start.add_argument("--scenario", default=DEFAULT_SCENARIO)
    start.add_argument("--idle-timeout", type=float, default=300)
    stop = commands.add_parser("stop")
    stop.add_argument("--state-dir", required=True)
    seed = commands.add_parser("seed")
    seed.add_argument("--state-dir", required=True)
    seed.add_argument("file")
    run = commands.add_parser("run")
    run.add_argument("--scenario", default=DEFAULT_SCENARIO)
    run.add_argument("argv", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    try:
        if args.command == "start":
            lab = LabProcess(args.state_dir, args.scenario, args.idle_timeout)
            lab.stop()
            lab.start()
            print(f"ATMOS_LAB_ENDPOINT={lab.endpoint}\nATMOS_LAB_STATE_DIR={lab.state_dir}")
            return 0
        if args.command == "stop":
            LabProcess(args.state_dir).stop()
            return 0
        if args.command == "seed":
            return _seed(args.state_dir, args.file)
        command = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
        if not command:
            parser.error("run needs a command after --")
        return _run(args.scenario, command)
    except LabError as error:
        print(f"labctl: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
