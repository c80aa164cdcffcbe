"""The loopback credentials endpoint (docs/credentials-endpoint.md) end to end: what a child of `atmos auth
exec` gets, who the endpoint refuses, that it lives exactly as long as the child (also when atmos is
interrupted), the switches that turn it off, no secret in Trace logs, and `atmos auth credential-process` used by
the AWS CLI v2 and boto3 through a profile.

Usage: test_endpoint.py <path to atmos>. Needs ATMOS_LAB_STATE_DIR (CTest fixture e2e_credentials_lab)."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import shutil
import time
import unittest

from common import ATMOS_YAML, ENDPOINT, Home, lab

ATMOS = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "atmos"
PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "probe.py")
AWS_CLI_V2 = "/usr/bin/aws"
TRANSCRIPTS: list[str] = []
SEEN_TOKENS: list[str] = []


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Endpoint(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="atmos-endpoint-e2e-")
        cls.home = Home(cls.root, "alice")
        cls.ok(cls.home, "auth", "login")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, True)

    @staticmethod
    def run_atmos(home: Home, *args: str, **env: str) -> subprocess.CompletedProcess:
        result = home.run(ATMOS, *args, **env)
        # credential-process prints the credentials on stdout by design; its logs go to stderr.
        TRANSCRIPTS.append(result.stderr if "credential-process" in args else result.stdout + result.stderr)
        return result

    @classmethod
    def ok(cls, home: Home, *args: str, **env: str) -> subprocess.CompletedProcess:
        result = cls.run_atmos(home, *args, **env)
        if result.returncode != 0:
            raise AssertionError(f"atmos {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result

    def probe(self, *flags: str) -> dict:
        report = os.path.join(self.root, "report.json")
        self.ok(self.home, "auth", "exec", *flags, "--", sys.executable, PROBE, report)
        with open(report, encoding="utf-8") as handle:
            data = json.load(handle)
        os.remove(report)
        SEEN_TOKENS.extend([data["token"], data["url"].rsplit("/", 1)[1]])
        return data

    def test_ChildGetsAnEndpointThatRefusesStrangersAndIsGoneAfterwards(self):
        report = self.probe()
        self.assertEqual(report["host"], "127.0.0.1")
        self.assertEqual(report["listening"], ["0100007F"])  # 127.0.0.1 only, nothing on other addresses
        self.assertEqual((report["path_length"], report["token_length"]), (32, 64))
        self.assertIsNone(report["profile"])  # so that SDKs ask the endpoint, not the file's static keys
        self.assertTrue(os.path.exists(report["credentials_file"]))  # the files are still written
        for case in ("missing_token", "wrong_token", "wrong_token_wrong_path"):
            status, body = report[case]
            self.assertEqual(status, 401, case)
            self.assertEqual(body, {"code": "Unauthorized", "message": "missing or wrong authorization token"}, case)
        self.assertEqual((report["other_path"], report["root_path"], report["post"]), (404, 404, 404))
        self.assertIn(report["huge"], (431, "reset"))
        self.assertEqual(report["status"], 200)
        self.assertEqual(report["keys"], ["AccessKeyId", "Expiration", "SecretAccessKey", "Token"])
        with open(report["credentials_file"], encoding="utf-8") as handle:
            written = re.search(r"aws_access_key_id\s*=\s*(\S+)", handle.read())
        self.assertTrue(written and written.group(1) == report["access_key_id"], "the endpoint serves the file's credentials")
        self.assertFalse(port_open(report["port"]))
        second = self.probe()
        self.assertNotEqual(second["token"], report["token"])
        self.assertNotEqual(second["url"], report["url"])

    def test_SdksUseTheEndpoint(self):
        result = self.ok(self.home, "auth", "exec", "--", "sh", "-c", "aws configure list; aws sts get-caller-identity --output text")
        self.assertRegex(result.stdout, r"access_key\s+\S+\s+container-role")
        self.assertIn("assumed-role/AWSReservedSSO_TerraformApplyAccess_", result.stdout)

    def test_EndpointAndPortGoWithTheChildWhenAtmosIsInterrupted(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(signal=sig.name):
                url_file = os.path.join(self.root, "url")
                process = subprocess.Popen([ATMOS, "auth", "exec", "--", "sh", "-c", f'echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI" > {url_file}; exec sleep 60'],
                                           cwd=self.home.repo, env=self.home.env, stdin=subprocess.DEVNULL,
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                deadline = time.monotonic() + 30
                while not (os.path.exists(url_file) and os.path.getsize(url_file)) and time.monotonic() < deadline:
                    time.sleep(0.05)
                with open(url_file, encoding="utf-8") as handle:
                    port = int(handle.read().split(":")[2].split("/")[0])
                os.remove(url_file)
                self.assertTrue(port_open(port))
                process.send_signal(sig)
                out, err = process.communicate(timeout=15)
                TRANSCRIPTS.append(out + err)
                self.assertEqual(process.returncode, 128 + sig)
                self.assertFalse(port_open(port))

    def test_SwitchedOffByFlagOrSetting(self):
        show = 'echo "uri=${AWS_CONTAINER_CREDENTIALS_FULL_URI:-none} profile=${AWS_PROFILE:-none}"'
        self.assertIn("uri=none profile=plat-dev/terraform", self.ok(self.home, "auth", "exec", "--credentials-endpoint=false", "--", "sh", "-c", show).stdout)
        self.assertIn("uri=http://127.0.0.1:", self.ok(self.home, "auth", "exec", "--credentials-endpoint", "--", "sh", "-c", show).stdout)
        self.assertIn("uri=none", self.ok(self.home, "auth", "shell", "--credentials-endpoint=false", "--", "-c", show).stdout)
        self.assertIn("uri=http://127.0.0.1:", self.ok(self.home, "auth", "shell", "--", "-c", show).stdout)
        off = Home(self.root, "off", extra_config="  credentials:\n    endpoint: false\n")
        off.env["HOME"] = self.home.env["HOME"]
        self.assertIn("uri=none profile=plat-dev/terraform", self.ok(off, "auth", "exec", "--", "sh", "-c", show).stdout)
        self.assertIn("uri=http://127.0.0.1:", self.ok(off, "auth", "exec", "--credentials-endpoint=true", "--", "sh", "-c", show).stdout)
        bad = Home(self.root, "bad", extra_config="  credentials:\n    endpoint: sometimes\n")
        bad.env["HOME"] = self.home.env["HOME"]
        result = self.run_atmos(bad, "auth", "exec", "--", "true")
        self.assertEqual(result.returncode, 1)
        self.assertIn("invalid `auth.credentials.endpoint` in atmos.yaml", result.stderr)

    def test_TerraformChildrenGetTheEndpoint(self):
        script = os.path.join(self.root, "fake-terraform")
        seen = os.path.join(self.root, "seen")
        with open(script, "w", encoding="utf-8") as handle:
            handle.write(f'#!/bin/sh\necho "$1 ${{AWS_CONTAINER_CREDENTIALS_FULL_URI:+endpoint}} ${{AWS_PROFILE:-noprofile}}" >> {seen}\n')
        os.chmod(script, 0o755)
        self.ok(self.home, "terraform", "plan", "sleeper", "-s", "dev", "--terraform-command", script)
        self.ok(self.home, "terraform", "plan", "sleeper", "-s", "dev", "--terraform-command", script, "--credentials-endpoint=false")
        with open(seen, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        self.assertEqual(lines, ["init endpoint noprofile", "workspace endpoint noprofile", "plan endpoint noprofile",
                                 "init  plat-dev/terraform", "workspace  plat-dev/terraform", "plan  plat-dev/terraform"])

    def test_PreflightReMintsCredentialsWithLessThanTheMinimumLeft(self):
        fake = os.path.join(self.root, "fake-true")
        with open(fake, "w", encoding="utf-8") as handle:
            handle.write("#!/bin/sh\nexit 0\n")
        os.chmod(fake, 0o755)
        plan = ("terraform", "plan", "sleeper", "-s", "dev", "--terraform-command", fake)
        self.ok(self.home, *plan)
        before = lab("GET", "/_lab/counters")["counts"].get("sso:GetRoleCredentials", 0)
        self.ok(self.home, *plan)  # an hour left: more than the default 15 minutes, reused
        self.assertEqual(lab("GET", "/_lab/counters")["counts"].get("sso:GetRoleCredentials", 0), before)
        # The same repository (same realm, same cached file) asking for two hours: re-minted before Terraform starts.
        self.home.write("atmos.yaml", ATMOS_YAML % {"extra": "  credentials:\n    min_validity: 2h\n"})
        try:
            self.ok(self.home, *plan)
        finally:
            self.home.write("atmos.yaml", ATMOS_YAML % {"extra": ""})
        self.assertEqual(lab("GET", "/_lab/counters")["counts"].get("sso:GetRoleCredentials", 0), before + 1)
        bad = Home(self.root, "bad-minimum", extra_config="  credentials:\n    min_validity: soon\n")
        bad.env["HOME"] = self.home.env["HOME"]
        result = self.run_atmos(bad, *plan)
        self.assertEqual(result.returncode, 1)
        self.assertIn("invalid `auth.credentials.min_validity` in atmos.yaml", result.stderr)
        self.assertIn("It must be a duration like 15m or 1h30m, not soon.", result.stderr)

    # --- credential_process ---

    def aws_config(self) -> str:
        path = os.path.join(self.root, "aws-config")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(self.ok(self.home, "auth", "env", "--format", "aws-config").stdout)
        return path

    def test_AwsConfigProfilesUseCredentialProcess(self):
        text = self.ok(self.home, "auth", "env", "--format", "aws-config").stdout
        self.assertIn("[profile plat-dev/terraform]\ncredential_process = " + ATMOS +
                      " auth credential-process --identity plat-dev/terraform --chdir " + self.home.repo + "\nregion = us-east-1\n", text)
        raw = self.ok(self.home, "auth", "credential-process", "--identity", "plat-dev/terraform").stdout
        document = json.loads(raw)
        self.assertEqual(list(document), ["Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"])
        self.assertEqual(document["Version"], 1)
        self.assertRegex(document["Expiration"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_AwsCliV2AndBoto3UseAtmosThroughAProfile(self):
        config = self.aws_config()
        env = {"PATH": os.environ["PATH"], "HOME": self.home.env["HOME"], "AWS_CONFIG_FILE": config,
               "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.root, "none"), "NO_PROXY": "127.0.0.1,localhost",
               "HTTPS_PROXY": "http://127.0.0.1:9", "AWS_EC2_METADATA_DISABLED": "true", "ATMOS_KEYRING_TYPE": "memory"}
        cli = subprocess.run([AWS_CLI_V2, "sts", "get-caller-identity", "--profile", "plat-dev/terraform", "--endpoint-url", ENDPOINT,
                              "--output", "text"], env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        self.assertEqual(cli.returncode, 0, cli.stderr)
        self.assertIn("assumed-role/AWSReservedSSO_TerraformApplyAccess_", cli.stdout)
        exported = subprocess.run([AWS_CLI_V2, "configure", "export-credentials", "--profile", "plat-dev/terraform"], env=env,
                                  capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        self.assertEqual(exported.returncode, 0, exported.stderr)
        self.assertIn("Expiration", json.loads(exported.stdout))
        code = ("import boto3; s = boto3.Session(profile_name='plat-dev/terraform'); "
                "print(s.get_credentials().method, s.client('sts').get_caller_identity()['Account'])")
        boto = subprocess.run([sys.executable, "-c", code], env={**env, "AWS_ENDPOINT_URL": ENDPOINT}, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL)
        self.assertEqual(boto.returncode, 0, boto.stderr)
        self.assertEqual(boto.stdout.strip(), "custom-process 222222222222")

    def test_CredentialProcessNeverPromptsWithoutATerminal(self):
        stranger = Home(self.root, "stranger")
        started = time.monotonic()
        result = self.run_atmos(stranger, "auth", "credential-process", "--identity", "plat-dev/terraform")
        self.assertLess(time.monotonic() - started, 30)
        self.assertNotEqual(result.returncode, 0)
        self.assertEqual(result.stdout, "")
        self.assertIn("this command does not sign in interactively", result.stderr)
        self.assertIn("atmos auth login --identity plat-dev/terraform", result.stderr)

    def test_zz_NoSecretInTraceLogs(self):
        issued = [entry["value"] for entry in lab("GET", "/_lab/secrets")["secrets"]]
        self.assertGreater(len(issued), 3)
        self.assertGreater(len(SEEN_TOKENS), 3)
        self.assertIn("Credentials endpoint started", "".join(TRANSCRIPTS))
        for index, transcript in enumerate(TRANSCRIPTS):
            for secret in issued + SEEN_TOKENS:
                self.assertTrue(secret not in transcript, f"a secret appears in the output of run {index}")


if __name__ == "__main__":
    unittest.main()
