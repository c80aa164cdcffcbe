#!/usr/bin/env python3
"""Benchmark: a lab's start-to-ready time (process start until the ready file exists) and SIGTERM-to-exit
time, over several fresh starts. Target: ready in under 1.5 s.

    python3 tests/lab/bench_startup.py [--runs N] [--scenario FILE]"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def measure(scenario: str) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="lab-bench-") as directory:
        ready_file = os.path.join(directory, "ready.json")
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "lab.py"), "--port", "0", "--scenario", scenario, "--ready-file", ready_file],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            while not os.path.exists(ready_file):
                if process.poll() is not None:
                    raise SystemExit(f"lab exited with status {process.returncode}")
                time.sleep(0.005)
            ready = time.monotonic() - started
            stopping = time.monotonic()
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            return ready, time.monotonic() - stopping
        finally:
            process.kill()
            process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scenario", default=os.path.join(HERE, "scenarios", "acme.yaml"))
    args = parser.parse_args()
    results = [measure(args.scenario) for _ in range(args.runs)]
    for label, values in (("start-to-ready", [r[0] for r in results]), ("SIGTERM-to-exit", [r[1] for r in results])):
        print(f"{label}: median {statistics.median(values):.3f} s, min {min(values):.3f} s, max {max(values):.3f} s ({args.runs} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
