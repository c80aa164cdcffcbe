"""Shared setup of the e2e tests that run a copy of examples/acme against the lab. The test harness starts the lab
(tests/lab/labctl.py) and names its state folder in ATMOS_LAB_STATE_DIR. A test imports this module with
`sys.path.insert(0, <tests/e2e>)`."""
import json
import os
import urllib.request

ACME = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "acme")
# The AWS services atmos and Terraform reach in the quick start, each pointed at the lab.
SERVICES = ("STS", "SSO", "SSO_OIDC", "SIGNIN", "S3", "IAM")


def lab_endpoint() -> str:
    state_dir = os.environ.get("ATMOS_LAB_STATE_DIR")
    if not state_dir:
        raise SystemExit("ATMOS_LAB_STATE_DIR is not set: run through ctest (its lab fixture starts the lab)")
    with open(os.path.join(state_dir, "ready.json"), encoding="utf-8") as handle:
        return json.load(handle)["endpoint"]


def lab_request(path: str, body=None, method=None):
    """A call to the lab's control API (`/_lab/...`), never through a proxy; the decoded JSON answer ({} if none)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(lab_endpoint() + path, data=data, method=method or ("GET" if body is None else "POST"),
                                     headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def browser(folder: str, user: str) -> str:
    """A BROWSER program that signs in to the lab's SSO device flow as `user`."""
    path = os.path.join(folder, "browser-" + user)
    with open(path, "w", encoding="utf-8") as f:
        f.write("#!/bin/sh\nexec python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1]+\"&user=%s\").read()' "
                "\"$1\"\n" % user)
    os.chmod(path, 0o755)
    return path


def acme_env(tmp: str, profile: str, user=None, services=SERVICES) -> dict:
    """The environment of a person running atmos in a copy of examples/acme: private HOME, XDG folders and
    terraformrc under `tmp`, the `profile`, a memory keyring, every service at the lab, any other network through
    a dead proxy; with `user`, a BROWSER that signs in as that person."""
    rc = os.path.join(tmp, "terraformrc")
    open(rc, "w").close()
    env = {"PATH": os.environ["PATH"], "HOME": os.path.join(tmp, "home"),
           "XDG_CONFIG_HOME": os.path.join(tmp, "config"), "XDG_CACHE_HOME": os.path.join(tmp, "cache"),
           "ATMOS_GIT_ROOT_BASEPATH": "false", "ATMOS_PROFILE": profile, "ATMOS_KEYRING_TYPE": "memory",
           "TF_CLI_CONFIG_FILE": rc, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1",
           "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost", "AWS_EC2_METADATA_DISABLED": "true"}
    if user:
        env["BROWSER"] = browser(tmp, user)
    endpoint = lab_endpoint()
    for service in services:
        env["AWS_ENDPOINT_URL_" + service] = endpoint
    return env
