#!/usr/bin/env python3
"""The local AWS lab: one process, one loopback port.

    python3 tests/lab/lab.py --port 0 --scenario tests/lab/scenarios/acme.yaml --ready-file F

writes {"endpoint": "http://127.0.0.1:PORT", "pid": N} to F once it serves, and exits cleanly (removing F)
on SIGTERM or SIGINT. Use labctl.py to start and stop it for tests and scripts."""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from atmoslab import scenario  # noqa: E402
from atmoslab.app import Lab  # noqa: E402
from atmoslab.server import serve  # noqa: E402

DEFAULT_SCENARIO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios", "acme.yaml")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1; 0 picks a free one")
    parser.add_argument("--scenario", default=DEFAULT_SCENARIO, help="scenario YAML (default: scenarios/acme.yaml)")
    parser.add_argument("--ready-file", default="", help="where to write the endpoint and pid once serving")
    parser.add_argument("--idle-timeout", type=float, default=0, help="exit after this many seconds without requests")
    args = parser.parse_args()
    try:
        lab = Lab(scenario.load(args.scenario))
    except (OSError, scenario.ScenarioError) as error:
        print(f"lab: {error}", file=sys.stderr)
        return 2
    serve(lab, args.port, args.ready_file, args.idle_timeout)
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # The server is closed and the ready file gone; skip the interpreter's teardown of moto's module
    # state, which takes about two seconds.
    os._exit(status)
