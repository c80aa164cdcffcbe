"""Acceptance 1 and 2 with real AWS CLIs: v1 (`aws` on PATH) uses lab credentials from a credentials file,
from credential_process and through role_arn/source_profile; v2 (Debian `awscli`, /usr/bin/aws) completes
`aws sso login --no-browser` with the approval fetched from the printed URL, then calls STS as the
permission set's role."""

import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request

from labcase import lab

AWS_CLI_V2 = "/usr/bin/aws"
SERVICE_VERSIONS = {"sts": "2011-06-15", "sso": "2019-06-10", "sso-oidc": "2019-06-10"}


def find_cli_v1() -> str | None:
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        candidate = os.path.join(directory, "aws")
        if os.access(candidate, os.X_OK):
            version = subprocess.run([candidate, "--version"], capture_output=True, text=True)
            if (version.stdout + version.stderr).startswith("aws-cli/1."):
                return candidate
    return None


def write(path: str, text: str, mode: int = 0o600) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, mode)
    return path


def stop(process: subprocess.Popen) -> None:
    process.kill()
    process.communicate()


class AwsCliV1(unittest.TestCase):
    def setUp(self):
        self.cli = find_cli_v1()
        if self.cli is None:
            self.fail("AWS CLI v1 (`aws` reporting aws-cli/1.x) is not on PATH")
        self.lab = lab()
        self.home = tempfile.mkdtemp(prefix="lab-cli-v1-")
        self.addCleanup(shutil.rmtree, self.home)
        self.credentials_file = os.path.join(self.home, "credentials")
        self.config_file = os.path.join(self.home, "config")

    def aws(self, profile: str, *args: str) -> subprocess.CompletedProcess:
        env = self.lab.subprocess_env(
            HOME=self.home, AWS_SHARED_CREDENTIALS_FILE=self.credentials_file, AWS_CONFIG_FILE=self.config_file
        )
        return subprocess.run([self.cli, "--profile", profile, "--output", "json", *args], env=env, capture_output=True, text=True, timeout=60)

    def caller_arn(self, profile: str) -> str:
        result = self.aws(profile, "sts", "get-caller-identity")
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)["Arn"]

    def test_CredentialsFile(self):
        admin = self.lab.iam_user("admin")
        write(self.credentials_file, f"[admin]\naws_access_key_id = {admin['access_key_id']}\naws_secret_access_key = {admin['secret_access_key']}\n")
        write(self.config_file, "[profile admin]\nregion = us-east-1\n")
        self.assertEqual(self.caller_arn("admin"), "arn:aws:iam::111111111111:user/admin")

    def test_WrongSecretInCredentialsFileFails(self):
        admin = self.lab.iam_user("admin")
        write(self.credentials_file, f"[admin]\naws_access_key_id = {admin['access_key_id']}\naws_secret_access_key = {'w' * 40}\n")
        write(self.config_file, "[profile admin]\nregion = us-east-1\n")
        result = self.aws("admin", "sts", "get-caller-identity")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SignatureDoesNotMatch", result.stderr)

    def test_CredentialProcess(self):
        role = self.lab.role_credentials("plat-dev", "TerraformApplyAccess")
        document = {"Version": 1, "AccessKeyId": role["AccessKeyId"], "SecretAccessKey": role["SecretAccessKey"], "SessionToken": role["SessionToken"]}
        source = write(os.path.join(self.home, "process.json"), json.dumps(document))
        write(self.config_file, f"[profile process]\nregion = us-east-1\ncredential_process = cat {source}\n")
        arn = self.caller_arn("process")
        self.assertEqual(arn, f"arn:aws:sts::222222222222:assumed-role/{self.lab.role_name('TerraformApplyAccess')}/alice")

    def test_RoleArnWithSourceProfile(self):
        role = self.lab.role_credentials("core-root", "TerraformApplyAccess")
        write(
            self.credentials_file,
            f"[root-sso]\naws_access_key_id = {role['AccessKeyId']}\naws_secret_access_key = {role['SecretAccessKey']}\n"
            f"aws_session_token = {role['SessionToken']}\n",
        )
        write(
            self.config_file,
            "[profile root-sso]\nregion = us-east-1\n[profile plat-dev-admin]\nregion = us-east-1\nsource_profile = root-sso\n"
            "role_arn = arn:aws:iam::222222222222:role/OrganizationAccountAccessRole\nrole_session_name = cli-v1\n",
        )
        self.assertEqual(self.caller_arn("plat-dev-admin"), "arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/cli-v1")


class AwsCliV2SsoLogin(unittest.TestCase):
    def setUp(self):
        if not os.access(AWS_CLI_V2, os.X_OK):
            self.fail(f"AWS CLI v2 ({AWS_CLI_V2}, Debian package awscli) is not installed; run scripts/setup")
        self.lab = lab()
        self.home = tempfile.mkdtemp(prefix="lab-cli-v2-")
        self.addCleanup(shutil.rmtree, self.home)
        data_path = os.path.join(self.home, "aws-data")
        for service, version in SERVICE_VERSIONS.items():
            rule_set = {
                "version": "1.0",
                "parameters": {"Region": {"builtIn": "AWS::Region", "required": False, "documentation": "region", "type": "String"}},
                "rules": [{"conditions": [], "endpoint": {"url": self.lab.endpoint, "properties": {}, "headers": {}}, "type": "endpoint"}],
            }
            write(os.path.join(data_path, service, version, "endpoint-rule-set-1.json"), json.dumps(rule_set))
        write(
            os.path.join(self.home, ".aws", "config"),
            "[profile plat-dev]\nsso_session = acme\nsso_account_id = 222222222222\nsso_role_name = TerraformApplyAccess\n"
            "region = us-east-1\n\n[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = us-east-1\n"
            "sso_registration_scopes = sso:account:access\n",
        )
        self.env = {
            "PATH": "/usr/bin:/bin",
            "HOME": self.home,
            "AWS_DATA_PATH": data_path,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_PAGER": "",
            "HTTPS_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost",
        }

    def login(self, user: str) -> None:
        """Runs `aws sso login --no-browser`, approves the printed URL as `user`, waits for success."""
        login = subprocess.Popen(
            [AWS_CLI_V2, "sso", "login", "--profile", "plat-dev", "--no-browser"],
            env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self.addCleanup(stop, login)
        printed, url, deadline = b"", None, time.monotonic() + 30
        while url is None and time.monotonic() < deadline and login.poll() is None:
            if select.select([login.stdout], [], [], 1)[0]:
                printed += os.read(login.stdout.fileno(), 4096)
                found = re.search(rb"(http://\S+user_code=\S+)", printed)
                url = found.group(1).decode() if found else None
        self.assertIsNotNone(url, f"no verification URL printed: {printed!r}")
        with urllib.request.urlopen(f"{url}&user={user}", timeout=10) as approval:
            self.assertEqual(approval.status, 200)
        stdout, stderr = login.communicate(timeout=60)
        self.assertEqual(login.returncode, 0, stderr.decode())
        self.assertIn(b"Successfully logged into Start URL: https://acme.awsapps.com/start", printed + stdout)

    def test_SsoLoginThenCallerIsThePermissionSetRole(self):
        self.login("carol")
        cache = os.listdir(os.path.join(self.home, ".aws", "sso", "cache"))
        self.assertTrue(cache, "aws sso login wrote no token cache")
        result = subprocess.run(
            [AWS_CLI_V2, "sts", "get-caller-identity", "--profile", "plat-dev", "--output", "json"],
            env=self.env, capture_output=True, text=True, timeout=60,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        identity = json.loads(result.stdout)
        self.assertEqual(identity["Account"], "222222222222")
        self.assertEqual(identity["Arn"], f"arn:aws:sts::222222222222:assumed-role/{self.lab.role_name('TerraformApplyAccess')}/carol")


if __name__ == "__main__":
    unittest.main()
