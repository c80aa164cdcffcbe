"""Acceptance 1 of the credentials endpoint: role credentials that live 60 seconds, a lab that refuses expired
credentials, and children that outlive them. With the endpoint, a real Terraform apply whose resource sleeps 80
seconds writes its state to the s3 backend and `auth exec -- sh -c 'sleep 75; aws sts get-caller-identity'`
succeeds; with --credentials-endpoint=false both fail (so the test is real). A re-mint that needs a person
fails the child's request with a clear message on atmos's stderr instead of hanging. The five runs go
concurrently (about 90 s wall).

Usage: test_long_runs.py <path to atmos>. Needs ATMOS_LAB_STATE_DIR (CTest fixture e2e_credentials_long_runs_lab)."""

import concurrent.futures
import os
import shutil
import sys
import tempfile
import unittest

from common import Home, lab

ATMOS = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "atmos"
APPLY = ("terraform", "apply", "sleeper", "-s", "dev", "-no-color")
EXEC = ("auth", "exec", "--", "sh", "-c", "sleep 75; aws sts get-caller-identity --output text")
# The child ends the person's SSO session on the server (as an administrator or a timeout would), then asks the
# endpoint after 35 s (credentials within their refresh margin: the re-mint needs a new sign-in and fails, the
# still-valid credentials are served) and after 65 s (expired: the request fails).
PERSON = ("auth", "exec", "--", sys.executable, "-c", """
import glob, json, os, time, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
(cache,) = glob.glob(os.path.join(os.environ["HOME"], ".cache", "atmos", "aws-sso", "sessions", "*.json"))
with open(cache) as handle:
    bearer = json.load(handle)["accessToken"]
opener.open(urllib.request.Request(os.environ["AWS_ENDPOINT_URL_SSO"] + "/logout", data=b"", method="POST",
                                   headers={"x-amz-sso_bearer_token": bearer}), timeout=20)
request = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
                                 headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
for wait in (35, 30):
    time.sleep(wait)
    try:
        print(opener.open(request, timeout=20).status)
    except urllib.error.HTTPError as error:
        print(error.code, json.loads(error.read())["code"])
""")


class LongRuns(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="atmos-long-runs-e2e-")
        cls.homes = {name: Home(cls.root, name, seconds=80) for name in ("apply-on", "apply-off", "exec-on", "exec-off", "person")}
        lab("POST", "/_lab/lifetimes", {"role_credentials": 60})
        for home in cls.homes.values():
            cls.login(home)

    @classmethod
    def tearDownClass(cls):
        lab("POST", "/_lab/lifetimes", {"role_credentials": 0})
        shutil.rmtree(cls.root, True)

    @staticmethod
    def login(home: Home) -> None:
        result = home.run(ATMOS, "auth", "login")
        if result.returncode != 0:
            raise AssertionError("login failed:\n" + result.stderr[-3000:])

    def test_ChildrenOutliveTheirCredentialsOnlyWithTheEndpoint(self):
        runs = {
            "apply-on": APPLY, "apply-off": (*APPLY, "--credentials-endpoint=false"),
            "exec-on": EXEC, "exec-off": (EXEC[0], EXEC[1], "--credentials-endpoint=false", *EXEC[2:]),
            "person": PERSON,
        }
        with concurrent.futures.ThreadPoolExecutor(len(runs)) as pool:
            futures = {name: pool.submit(self.homes[name].run, ATMOS, *args, timeout=400, ATMOS_LOGS_LEVEL="Warning")
                       for name, args in runs.items()}
            results = {name: future.result() for name, future in futures.items()}

        def describe(name: str) -> str:
            r = results[name]
            return f"{name}: exit {r.returncode}\n--- stdout\n{r.stdout[-2000:]}\n--- stderr\n{r.stderr[-3000:]}"

        self.assertEqual(results["apply-on"].returncode, 0, describe("apply-on"))
        self.assertIn("Apply complete! Resources: 1 added", results["apply-on"].stdout, describe("apply-on"))
        state = self.homes["apply-on"].run(ATMOS, "terraform", "state", "list", "sleeper", "-s", "dev")
        self.assertEqual(state.returncode, 0, state.stderr[-2000:])
        self.assertIn("terraform_data.sleep", state.stdout)  # read back from the s3 backend

        self.assertNotEqual(results["apply-off"].returncode, 0, describe("apply-off"))
        self.assertRegex(results["apply-off"].stdout + results["apply-off"].stderr, r"ExpiredToken|Failed to persist state")

        self.assertEqual(results["exec-on"].returncode, 0, describe("exec-on"))
        self.assertIn("assumed-role/AWSReservedSSO_TerraformApplyAccess_", results["exec-on"].stdout)
        self.assertNotEqual(results["exec-off"].returncode, 0, describe("exec-off"))
        self.assertIn("ExpiredToken", results["exec-off"].stderr, describe("exec-off"))

        person = results["person"]
        self.assertEqual(person.stdout.split("\n")[:2], ["200", "503 CredentialsUnavailable"], describe("person"))
        self.assertEqual(person.stderr.count("the credentials endpoint cannot renew the credentials of identity plat-dev/terraform"), 1,
                         describe("person"))
        self.assertIn("atmos auth login --identity plat-dev/terraform", person.stderr, describe("person"))


if __name__ == "__main__":
    unittest.main()
