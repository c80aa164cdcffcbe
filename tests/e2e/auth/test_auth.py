"""`atmos auth` against the lab: the real binary, real files, the AWS CLI (v1) reading what atmos wrote.

Usage: test_auth.py <path to atmos>. Needs ATMOS_LAB_STATE_DIR (the CTest fixture e2e_auth_lab). Every run
of atmos happens at Trace level and its stdout/stderr are kept; the last test searches them for every secret
the lab issued. Secrets are compared with assertTrue(a == b), never printed."""

import concurrent.futures
import fcntl
import http.client
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import termios
import time
import unittest
import urllib.parse
import urllib.request

ATMOS = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "atmos"
START_URL = "https://acme.awsapps.com/start"
TRANSCRIPTS: list[str] = []


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from acme_lab import lab_endpoint, lab_request  # noqa: E402

ENDPOINT = lab_endpoint()


def lab(method: str, path: str, body: dict | None = None):
    return lab_request(path, body, method)


def counts() -> dict:
    return lab("GET", "/_lab/counters")["counts"]


def iam_user(name: str) -> dict:
    return next(u for u in lab("GET", "/_lab/state")["iam_users"] if u["name"] == name)


def totp(serial: str) -> str:
    return lab("GET", "/_lab/totp?serial=" + urllib.request.quote(serial, safe=""))["code"]


BASE_CONFIG = """
auth:
  providers:
    acme-sso:
      kind: aws/iam-identity-center
      region: us-east-1
      start_url: https://acme.awsapps.com/start
    github-oidc:
      kind: github/oidc
      region: us-east-2
  identities:
    plat-dev/terraform:
      kind: aws/permission-set
      default: true
      via: {provider: acme-sso}
      principal: {name: TerraformApplyAccess, account: {name: plat-dev}}
    core-auto/terraform:
      kind: aws/permission-set
      via: {provider: acme-sso}
      principal: {name: TerraformApplyAccess, account: {id: "333333333333"}}
    plat-dev/planner:
      kind: aws/assume-role
      via: {provider: github-oidc}
      principal: {assume_role: "arn:aws:iam::222222222222:role/plat-dev-planner", region: us-east-2}
    superadmin:
      kind: aws/user
      credentials: {access_key_id: "%(key)s", secret_access_key: "%(secret)s", region: us-east-1, mfa_arn: "%(mfa)s"}
    plat-dev/admin:
      kind: aws/assume-role
      via: {identity: superadmin}
      principal: {assume_role: "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"}
    breakglass:
      kind: aws/user
      credentials: {region: us-east-1, mfa_arn: "%(mfa)s"}
    plat-dev/breakglass:
      kind: aws/assume-role
      via: {identity: breakglass}
      principal: {assume_role: "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"}
"""


class AuthE2E(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="atmos-auth-e2e-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.home = os.path.join(self.dir, "home")
        self.repo = os.path.join(self.dir, "repo")
        os.makedirs(self.home)
        os.makedirs(self.repo)
        admin = iam_user("admin")
        self.mfa = admin["mfa_serial"]
        self.write_config(BASE_CONFIG % {"key": admin["access_key_id"], "secret": admin["secret_access_key"], "mfa": self.mfa})
        self.browser = self.script("browser.sh", 'curl -s -o /dev/null --noproxy "*" "$1"\n')
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": self.home,
            "AWS_ENDPOINT_URL": ENDPOINT,
            "HTTPS_PROXY": "http://127.0.0.1:9",
            "https_proxy": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "AWS_EC2_METADATA_DISABLED": "true",
            "BROWSER": self.browser,
            "ATMOS_KEYRING_TYPE": "memory",
            "ATMOS_LOGS_LEVEL": "Trace",
        }

    def write_config(self, text: str) -> None:
        with open(os.path.join(self.repo, "atmos.yaml"), "w", encoding="utf-8") as handle:
            handle.write(text)

    def script(self, name: str, body: str) -> str:
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("#!/bin/sh\n" + body)
        os.chmod(path, 0o755)
        return path

    def atmos(self, *args: str, env: dict | None = None, drop: tuple = (), input: str | None = None) -> subprocess.CompletedProcess:
        run_env = {**self.env, **(env or {})}
        for name in drop:
            run_env.pop(name, None)
        stdin = {"input": input} if input is not None else {"stdin": subprocess.DEVNULL}
        result = subprocess.run([ATMOS, *args], cwd=self.repo, env=run_env, capture_output=True, text=True, timeout=120, **stdin)
        TRANSCRIPTS.append(result.stdout + result.stderr)
        return result

    def ok(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        result = self.atmos(*args, **kwargs)
        self.assertEqual(result.returncode, 0, f"atmos {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result

    def credentials_files(self) -> list[str]:
        found = []
        for root, _, files in os.walk(os.path.join(self.home, ".config", "atmos")):
            found += [os.path.join(root, f) for f in files if f in ("credentials", "config")]
        return found

    def caller_arn(self, identity: str, **env) -> str:
        result = self.ok("auth", "exec", "--identity", identity, "--", "aws", "sts", "get-caller-identity", "--output", "json", env=env)
        return json.loads(result.stdout)["Arn"]

    # --- IAM Identity Center: device flow, permission sets ---

    def test_SsoLoginWhoamiEnvExec(self):
        lab("POST", "/_lab/counters/reset")
        login = self.ok("auth", "login", drop=("CI",))
        self.assertIn("Verification Code:", login.stderr)
        self.assertIn("✓ Authentication successful!", login.stderr)
        self.assertEqual(counts().get("sso-oidc:StartDeviceAuthorization"), 1)
        role = r"arn:aws:sts::222222222222:assumed-role/AWSReservedSSO_TerraformApplyAccess_[0-9a-f]+/alice"

        whoami = self.ok("auth", "whoami")
        self.assertRegex(whoami.stdout, "Principal +" + role)
        info = json.loads(self.ok("auth", "whoami", "-o", "json").stdout)
        self.assertRegex(info["principal"], role)
        self.assertEqual(info["identity"], "plat-dev/terraform")
        self.assertEqual(info["account"], "222222222222")

        self.assertRegex(self.caller_arn("plat-dev/terraform"), role)
        self.assertRegex(self.caller_arn("core-auto/terraform"), role.replace("222222222222", "333333333333"))

        # Files: 0600 in 0700 directories, expiration and fingerprint comments, one section per identity.
        for path in self.credentials_files():
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600, path)
            self.assertEqual(os.stat(os.path.dirname(path)).st_mode & 0o777, 0o700, path)
        credentials = next(p for p in self.credentials_files() if p.endswith("/acme-sso/credentials"))
        with open(credentials, encoding="utf-8") as handle:
            text = handle.read()
        self.assertRegex(text, r"; atmos: expiration=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n; atmos: fingerprint=[0-9a-f]{16}\n\[plat-dev/terraform\]")
        self.assertIn("[core-auto/terraform]", text)
        cache = os.path.join(self.home, ".cache", "atmos", "aws-sso", "sessions")
        (token_file,) = [f for f in os.listdir(cache) if f.endswith(".json")]
        self.assertEqual(os.stat(os.path.join(cache, token_file)).st_mode & 0o777, 0o600)
        with open(os.path.join(cache, token_file), encoding="utf-8") as handle:
            session = json.load(handle)
        self.assertEqual(list(session), ["accessToken", "expiresAt", "region", "startUrl", "refreshToken", "clientId",
                                         "clientSecret", "registrationExpiresAt"])
        self.assertEqual(session["startUrl"], START_URL)

    def test_EnvFormats(self):
        self.ok("auth", "login", drop=("CI",))
        bash = self.ok("auth", "env").stdout
        self.assertIn("export AWS_PROFILE='plat-dev/terraform'\n", bash)
        self.assertIn("export AWS_REGION='us-east-1'\n", bash)
        self.assertRegex(bash, r"export AWS_SHARED_CREDENTIALS_FILE='[^']+/atmos/[0-9a-f]{16}/aws/acme-sso/credentials'")
        self.assertNotIn("AWS_SECRET_ACCESS_KEY", bash)
        keys = [line.split("=")[0] for line in self.ok("auth", "env", "-f", "env").stdout.splitlines()]
        self.assertEqual(keys, sorted(keys))
        self.assertIn("AWS_PROFILE='plat-dev/terraform'", self.ok("auth", "env", "--format", "dotenv").stdout)
        self.assertIn("AWS_PROFILE=plat-dev/terraform\n", self.ok("auth", "env", "--format=env").stdout)
        as_json = json.loads(self.ok("auth", "env", "-f", "json").stdout)
        self.assertEqual(as_json["AWS_PROFILE"], "plat-dev/terraform")
        github_env = os.path.join(self.dir, "github_env")
        self.ok("auth", "env", "-f", "github", env={"GITHUB_ENV": github_env})
        with open(github_env, encoding="utf-8") as handle:
            self.assertIn("AWS_PROFILE=plat-dev/terraform\n", handle.read())
        self.assertEqual(os.stat(github_env).st_mode & 0o777, 0o600)
        missing = self.atmos("auth", "env", "-f", "github", drop=("GITHUB_ENV",))
        self.assertEqual(missing.returncode, 1)
        self.assertIn("--format=github requires GITHUB_ENV", missing.stderr)
        bad = self.atmos("auth", "env", "-f", "yaml")
        self.assertEqual(bad.returncode, 1)
        self.assertIn("invalid format", bad.stderr)
        self.assertIn("unsupported format: yaml", bad.stderr)

    def test_ExecPassesExitCodeAndClearsAmbientKeys(self):
        self.ok("auth", "login", drop=("CI",))
        self.assertEqual(self.atmos("auth", "exec", "--", "sh", "-c", "exit 7").returncode, 7)
        seen = self.ok("auth", "exec", "--", "sh", "-c", 'echo "${AWS_ACCESS_KEY_ID:-unset} ${AWS_PROFILE:-endpoint} $AWS_SDK_LOAD_CONFIG"',
                       env={"AWS_ACCESS_KEY_ID": "AKIAAMBIENT"})
        self.assertEqual(seen.stdout.strip(), "unset endpoint 1")
        seen = self.ok("auth", "exec", "--credentials-endpoint=false", "--", "sh", "-c", 'echo "$AWS_PROFILE"')
        self.assertEqual(seen.stdout.strip(), "plat-dev/terraform")
        self.assertEqual(self.atmos("auth", "exec", "--", "no-such-program-xyz").returncode, 127)
        none = self.atmos("auth", "exec")
        self.assertEqual(none.returncode, 1)
        self.assertIn("no command specified", none.stderr)

    def test_WarmCacheMakesNoNetworkCallAndReadsNoKeyring(self):
        self.ok("auth", "login", drop=("CI",))
        lab("POST", "/_lab/counters/reset")
        self.ok("auth", "env", "--identity", "plat-dev/terraform")
        self.ok("auth", "exec", "--identity", "plat-dev/terraform", "--", "true")
        self.assertEqual(counts(), {})
        # A file keyring without its password fails on any read; an unreachable Secret Service warns on any use.
        keyring = os.path.join(self.dir, "never-read")
        for keyring_env in ({"ATMOS_KEYRING_TYPE": "file", "ATMOS_KEYRING_FILE_PATH": keyring},
                            {"ATMOS_KEYRING_TYPE": "system", "DBUS_SESSION_BUS_ADDRESS": "unix:path=" + keyring}):
            for args in (("auth", "env", "--identity", "plat-dev/terraform"), ("auth", "exec", "--identity", "plat-dev/terraform", "--", "true")):
                result = self.ok(*args, env=keyring_env)
                self.assertNotIn("keyring", result.stderr.lower().replace("keyring_type", ""), keyring_env)
        self.assertFalse(os.path.exists(keyring))
        self.assertEqual(counts(), {})

    def test_ChangedConfigurationIsNotServedFromCache(self):
        self.ok("auth", "login", drop=("CI",))
        with open(os.path.join(self.repo, "atmos.yaml"), encoding="utf-8") as handle:
            text = handle.read()
        self.write_config(text.replace("principal: {name: TerraformApplyAccess, account: {name: plat-dev}}",
                                       "principal: {name: TerraformApplyAccess, account: {name: plat-sandbox}}"))
        lab("POST", "/_lab/counters/reset")
        arn = self.caller_arn("plat-dev/terraform")
        self.assertRegex(arn, r"^arn:aws:sts::666666666666:assumed-role/AWSReservedSSO_TerraformApplyAccess_")
        self.assertEqual(counts().get("sso:GetRoleCredentials"), 1)
        self.assertIsNone(counts().get("sso-oidc:StartDeviceAuthorization"))

    def test_LoginForcesNewTargetCredentials(self):
        self.ok("auth", "login", drop=("CI",))
        lab("POST", "/_lab/counters/reset")
        self.ok("auth", "login", drop=("CI",))
        self.assertEqual(counts().get("sso:GetRoleCredentials"), 1)
        self.assertIsNone(counts().get("sso-oidc:StartDeviceAuthorization"))

    def test_LoginProviderOnlySignsIn(self):
        result = self.ok("auth", "login", "--provider", "acme-sso", drop=("CI",))
        self.assertIn("Provider  acme-sso", result.stderr)
        self.assertEqual(self.credentials_files(), [])

    def test_DeviceFlowDoesNotStartInCi(self):
        lab("POST", "/_lab/counters/reset")
        result = self.atmos("auth", "exec", "--identity", "core-auto/terraform", "--", "true", env={"CI": "true"})
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("authentication failed", result.stderr)
        self.assertIn("atmos auth login --identity core-auto/terraform", result.stderr)
        self.assertIsNone(counts().get("sso-oidc:StartDeviceAuthorization"))

    def test_UnwritableTokenCacheIsReportedBeforeTheDeviceFlow(self):
        lab("POST", "/_lab/counters/reset")
        self.ok("auth", "login", "--provider", "acme-sso", drop=("CI",))
        cache = os.path.join(self.home, ".cache", "atmos", "aws-sso", "sessions")
        path = os.path.join(cache, next(f for f in os.listdir(cache) if f.endswith(".json")))
        self.ok("auth", "logout", "--provider", "acme-sso")
        os.makedirs(path)  # a directory where the token file belongs: the session could never be saved
        lab("POST", "/_lab/counters/reset")
        result = self.atmos("auth", "login", "--provider", "acme-sso", drop=("CI",))
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("cannot write the SSO token cache " + path + ": it exists and is not a regular file", result.stderr)
        self.assertNotIn("Verification Code", result.stderr)
        self.assertIsNone(counts().get("sso-oidc:StartDeviceAuthorization"))

    def test_DeviceFlowNeedsTerminalOrBrowser(self):
        result = self.atmos("auth", "login", drop=("CI", "BROWSER"))
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("atmos auth login --identity plat-dev/terraform", result.stderr)

    def test_WhoamiNeverStartsALogin(self):
        lab("POST", "/_lab/counters/reset")
        result = self.atmos("auth", "whoami", drop=("CI",))
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("atmos auth login --identity plat-dev/terraform", result.stderr)
        self.assertIsNone(counts().get("sso-oidc:StartDeviceAuthorization"))

    def test_DeniedDeviceAuthorization(self):
        deny = self.script("deny.sh", 'curl -s -o /dev/null --noproxy "*" "$(echo "$1" | sed "s|/_lab/device?|/_lab/device/deny?|")"\n')
        result = self.atmos("auth", "login", env={"BROWSER": deny}, drop=("CI",))
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("aws sso token creation failed", result.stderr)
        self.assertIn("denied", result.stderr)

    def test_LogoutRemovesExactlyWhatItShould(self):
        self.ok("auth", "login", drop=("CI",))
        self.ok("auth", "login", "--identity", "core-auto/terraform")
        self.caller_arn("plat-dev/admin", ATMOS_MFA_TOKEN=totp(self.mfa))
        credentials = next(p for p in self.credentials_files() if p.endswith("/acme-sso/credentials"))
        self.ok("auth", "logout", "core-auto/terraform")
        with open(credentials, encoding="utf-8") as handle:
            text = handle.read()
        self.assertNotIn("[core-auto/terraform]", text)
        self.assertIn("[plat-dev/terraform]", text)
        with open(credentials.replace("/credentials", "/config"), encoding="utf-8") as handle:
            self.assertNotIn("core-auto", handle.read())
        cache = os.path.join(self.home, ".cache", "atmos", "aws-sso", "sessions")
        self.assertEqual(len([f for f in os.listdir(cache) if f.endswith(".json")]), 1)

        self.ok("auth", "logout", "--provider", "acme-sso")
        self.assertFalse(os.path.exists(os.path.dirname(credentials)))
        self.assertEqual([f for f in os.listdir(cache) if f.endswith(".json")], [])
        self.assertEqual(sorted(os.path.basename(os.path.dirname(p)) for p in self.credentials_files()),
                         ["aws-user", "aws-user", "superadmin", "superadmin"])
        after = self.atmos("auth", "exec", "--", "true", env={"CI": "true"})
        self.assertEqual(after.returncode, 2)

        self.ok("auth", "logout", "--all")
        self.assertEqual(self.credentials_files(), [])
        self.assertEqual([path for path in self.snapshot() if path.endswith(".lock")], [], "lock files left behind")
        unknown = self.atmos("auth", "logout", "nobody")
        self.assertEqual(unknown.returncode, 1)
        self.assertIn("identity not found in configuration", unknown.stderr)

    def snapshot(self) -> dict:
        found = {}
        for base in (os.path.join(self.home, ".config", "atmos"), os.path.join(self.home, ".cache", "atmos")):
            for root, _, files in os.walk(base):
                for name in files:
                    with open(os.path.join(root, name), "rb") as handle:
                        found[os.path.join(root, name)] = handle.read()
        return found

    def test_LogoutDryRunListsAndRemovesNothing(self):
        self.ok("auth", "login", drop=("CI",))
        before = self.snapshot()
        one = self.ok("auth", "logout", "plat-dev/terraform", "--dry-run", "--keychain")
        self.assertIn("Dry run: nothing was removed. Would remove:", one.stderr)
        self.assertRegex(one.stderr, r"- \[plat-dev/terraform\] in \S+/aws/acme-sso/credentials and \S+/aws/acme-sso/config")
        self.assertRegex(one.stderr, r"- keyring item atmos_[0-9a-f]{16}_plat-dev/terraform \(if present\)")
        provider = self.ok("auth", "logout", "--provider", "acme-sso", "--dry-run")
        self.assertIn("- the cached sign-in session of provider acme-sso (if any)", provider.stderr)
        self.assertRegex(provider.stderr, r"- directory \S+/aws/acme-sso\n")
        everything = self.ok("auth", "logout", "--all", "--dry-run")
        self.assertEqual(everything.stderr.count("[plat-dev/terraform]"), 1)
        nothing = self.ok("auth", "logout", "core-auto/terraform", "--dry-run")
        self.assertIn("Dry run: nothing to remove.", nothing.stderr)
        self.assertTrue(self.snapshot() == before, "a dry run changed files")

    def test_LogoutAllRealmsClearsEveryRealmButNotProfiles(self):
        self.ok("auth", "login", drop=("CI",))
        self.ok("auth", "login", "--identity", "core-auto/terraform", env={"ATMOS_AUTH_REALM": "other-repo"})
        legacy = os.path.join(self.home, ".config", "atmos", "aws", "acme-sso")
        os.makedirs(legacy)
        with open(os.path.join(legacy, "credentials"), "w", encoding="utf-8") as handle:
            handle.write("[old]\naws_access_key_id = AKIAOLD\n")
        profile = os.path.join(self.home, ".config", "atmos", "profiles", "dev", "atmos.yaml")
        os.makedirs(os.path.dirname(profile))
        with open(profile, "w", encoding="utf-8") as handle:
            handle.write("logs: {level: Info}\n")
        self.assertEqual(len(self.credentials_files()), 5)
        before = self.snapshot()
        dry = self.ok("auth", "logout", "--all-realms", "--dry-run")
        self.assertIn("/atmos/other-repo/aws/acme-sso/credentials", dry.stderr)
        self.assertIn("/atmos/aws/acme-sso/credentials", dry.stderr)
        self.assertTrue(self.snapshot() == before, "a dry run changed files")
        self.ok("auth", "logout", "--all-realms")
        self.assertEqual(self.credentials_files(), [])
        self.assertFalse(os.path.exists(os.path.join(self.home, ".config", "atmos", "other-repo")))
        self.assertTrue(os.path.exists(profile))
        cache = os.path.join(self.home, ".cache", "atmos", "aws-sso", "sessions")
        self.assertEqual([f for f in os.listdir(cache) if f.endswith(".json")], [])

    # --- Single flight across processes ---

    def run_many(self, count: int, *args: str) -> list[subprocess.CompletedProcess]:
        with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(lambda _: self.atmos(*args, drop=("CI",)), range(count)))

    def test_ConcurrentLoginsShareOneDeviceFlowThenOneRefresh(self):
        lab("POST", "/_lab/counters/reset")
        results = self.run_many(50, "auth", "login", "--identity", "plat-dev/terraform")
        for r in results:
            self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertEqual(counts().get("sso-oidc:StartDeviceAuthorization"), 1)
        self.assertEqual(counts().get("sso:GetRoleCredentials"), 50)
        self.assertRegex(self.caller_arn("plat-dev/terraform"), r"assumed-role/AWSReservedSSO_TerraformApplyAccess_")

        cache = os.path.join(self.home, ".cache", "atmos", "aws-sso", "sessions")
        (token_file,) = [os.path.join(cache, f) for f in os.listdir(cache) if f.endswith(".json")]
        with open(token_file, encoding="utf-8") as handle:
            session = json.load(handle)
        session["expiresAt"] = "2001-01-01T00:00:00Z"
        with open(token_file, "w", encoding="utf-8") as handle:
            json.dump(session, handle, indent=2)
        lab("POST", "/_lab/counters/reset")
        results = self.run_many(50, "auth", "login", "--identity", "core-auto/terraform")
        for r in results:
            self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertEqual(counts().get("sso-oidc:CreateToken"), 1)
        self.assertIsNone(counts().get("sso-oidc:StartDeviceAuthorization"))
        with open(token_file, encoding="utf-8") as handle:
            self.assertGreater(json.load(handle)["expiresAt"], "2002")
        self.assertRegex(self.caller_arn("core-auto/terraform"), r"::333333333333:assumed-role/")

    # --- GitHub Actions OIDC → assume-role with web identity ---

    def test_GithubOidcAssumeRole(self):
        github = lab("GET", "/_lab/state")["github"]
        env = {"GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": github["request_url"],
               "ACTIONS_ID_TOKEN_REQUEST_TOKEN": github["request_token"]}
        self.ok("auth", "login", "--identity", "plat-dev/planner", env=env)
        self.assertRegex(self.caller_arn("plat-dev/planner", **env), r"^arn:aws:sts::222222222222:assumed-role/plat-dev-planner/atmos-plat-dev-planner-\d+$")
        self.assertIn("export AWS_REGION='us-east-2'", self.ok("auth", "env", "-i", "plat-dev/planner").stdout)
        outside = self.atmos("auth", "login", "--identity", "plat-dev/planner")
        self.assertEqual(outside.returncode, 1)
        self.assertIn("only available in GitHub Actions", outside.stderr)

    # --- IAM user with MFA → OrganizationAccountAccessRole ---

    def test_UserWithMfaChainFromColdStart(self):
        arn = self.caller_arn("plat-dev/admin", ATMOS_MFA_TOKEN=totp(self.mfa))
        self.assertRegex(arn, r"^arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/atmos-plat-dev-admin-\d+$")
        # The user's session is reused: no second code needed.
        lab("POST", "/_lab/counters/reset")
        self.ok("auth", "login", "--identity", "plat-dev/admin")
        self.assertIsNone(counts().get("sts:GetSessionToken"))
        self.assertEqual(counts().get("sts:AssumeRole"), 1)

    def test_UserWrongMfaCodeFromFlagFails(self):
        wrong = "%06d" % ((int(totp(self.mfa)) + 1) % 1000000)
        result = self.atmos("auth", "login", "--identity", "plat-dev/admin", "--mfa-token", wrong)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("The MFA token you entered is invalid or has expired", result.stderr)

    def test_UserMfaWithoutTerminalNamesTheFlag(self):
        result = self.atmos("auth", "login", "--identity", "superadmin")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--mfa-token", result.stderr)

    def run_on_terminal(self, args: list[str], answers: list[str]) -> tuple[int, str]:
        """Runs atmos with a pseudo-terminal as its controlling terminal and stdin, answering each MFA prompt."""
        master, slave = pty.openpty()
        attrs = termios.tcgetattr(slave)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(slave, termios.TCSANOW, attrs)

        def controlling_terminal():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        process = subprocess.Popen([ATMOS, *args], cwd=self.repo, env=self.env, stdin=slave, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, preexec_fn=controlling_terminal)
        os.close(slave)
        seen, pending = "", list(answers)
        deadline = time.time() + 60
        while process.poll() is None and time.time() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if not ready:
                continue
            try:
                seen += os.read(master, 4096).decode(errors="replace")
            except OSError:
                break
            while pending and seen.count("Enter MFA Token") > len(answers) - len(pending):
                answer = pending.pop(0)
                os.write(master, (answer() if callable(answer) else answer).encode() + b"\n")
        out, err = process.communicate(timeout=60)
        os.close(master)
        TRANSCRIPTS.append(seen + out.decode() + err.decode())
        return process.returncode, seen + err.decode()

    def test_UserWrongMfaCodeIsAskedOnceMore(self):
        wrong = lambda: "%06d" % ((int(totp(self.mfa)) + 1) % 1000000)  # noqa: E731
        code, text = self.run_on_terminal(["auth", "login", "--identity", "plat-dev/admin"], [wrong, lambda: totp(self.mfa)])
        self.assertEqual(code, 0, text[-2000:])
        self.assertEqual(text.count("Enter MFA Token"), 2)
        code, text = self.run_on_terminal(["auth", "login", "--identity", "superadmin"], [wrong, wrong])
        self.assertEqual(code, 1, text[-2000:])
        self.assertEqual(text.count("Enter MFA Token"), 2)
        self.assertIn("The MFA token you entered is invalid or has expired", text)

    # --- Keyrings ---

    def test_FileKeyringEncryptsAndRejectsAWrongPassword(self):
        admin = iam_user("admin")
        keyring = os.path.join(self.dir, "keyring")
        env = {"ATMOS_KEYRING_TYPE": "file", "ATMOS_KEYRING_FILE_PATH": keyring, "ATMOS_KEYRING_PASSWORD": "correct horse battery"}
        saved = self.ok("auth", "user", "configure", "--identity", "breakglass", "--access-key-id", admin["access_key_id"],
                        env=env, input=admin["secret_access_key"] + "\n")
        self.assertIn("Saved credentials to keyring: breakglass", saved.stderr)
        self.assertEqual(os.stat(keyring).st_mode & 0o777, 0o700)
        contents = {}
        for name in os.listdir(keyring):
            with open(os.path.join(keyring, name), "rb") as handle:
                contents[name] = handle.read()
            self.assertEqual(os.stat(os.path.join(keyring, name)).st_mode & 0o777, 0o600)
        self.assertEqual(len(contents), 2)
        for data in contents.values():
            self.assertTrue(admin["secret_access_key"].encode() not in data)
            self.assertTrue(admin["access_key_id"].encode() not in data)

        arn = self.caller_arn("plat-dev/breakglass", ATMOS_MFA_TOKEN=totp(self.mfa), **env)
        self.assertRegex(arn, r"^arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/")

        wrong = {**env, "ATMOS_KEYRING_PASSWORD": "wrong password"}
        read = self.atmos("auth", "login", "--identity", "breakglass", "--mfa-token", "123456", env=wrong)
        self.assertEqual(read.returncode, 1, read.stderr)
        self.assertIn("failed to read AWS user credentials from keyring", read.stderr)
        self.assertIn("wrong keyring password", read.stderr)
        write = self.atmos("auth", "user", "configure", "--identity", "breakglass", "--access-key-id", "AKIAOTHER", env=wrong, input="other\n")
        self.assertEqual(write.returncode, 1, write.stderr)
        self.assertIn("wrong keyring password", write.stderr)
        short = self.atmos("auth", "user", "configure", "--identity", "breakglass", "--access-key-id", "AKIAOTHER",
                           env={**env, "ATMOS_KEYRING_PASSWORD": "short"}, input="other\n")
        self.assertIn("at least 8 characters", short.stderr)
        for name, data in contents.items():
            with open(os.path.join(keyring, name), "rb") as handle:
                self.assertTrue(handle.read() == data, name)

        # Without its .verify item, a wrong password must not record itself and so lock out the right one.
        os.unlink(os.path.join(keyring, ".verify"))
        for attempt in (("auth", "login", "--identity", "breakglass", "--mfa-token", "123456"),
                        ("auth", "user", "configure", "--identity", "breakglass", "--access-key-id", "AKIAOTHER")):
            result = self.atmos(*attempt, env=wrong, input="other\n")
            self.assertEqual(result.returncode, 1, result.stderr)
            self.assertIn("wrong keyring password", result.stderr)
            self.assertFalse(os.path.exists(os.path.join(keyring, ".verify")), attempt)
        self.ok("auth", "user", "configure", "--identity", "breakglass", "--access-key-id", admin["access_key_id"],
                env=env, input=admin["secret_access_key"] + "\n")
        self.assertTrue(os.path.exists(os.path.join(keyring, ".verify")), "the right password records the check")

    def test_UserWithoutKeysNamesTheConfigureCommand(self):
        result = self.atmos("auth", "login", "--identity", "breakglass", "--mfa-token", "123456")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("aws user not configured", result.stderr)
        self.assertIn("atmos auth user configure --identity breakglass", result.stderr)

    def test_SystemKeyringRoundTripOnSecretService(self):
        if not shutil.which("dbus-run-session") or not shutil.which("gnome-keyring-daemon"):
            self.fail("dbus-run-session and gnome-keyring-daemon are needed (scripts/setup installs them)")
        admin = iam_user("admin")
        secret_file = os.path.join(self.dir, "secret")
        with open(secret_file, "w", encoding="utf-8") as handle:
            handle.write(admin["secret_access_key"] + "\n")
        script = f"""
set -e
echo -n keyring-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null
# Wait until the unlocked daemon owns the Secret Service name; otherwise D-Bus may start a second, locked one.
for i in $(seq 100); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
    string:org.freedesktop.secrets 2>/dev/null | grep -q true && break
  sleep 0.05
done
"$ATMOS" auth user configure --identity breakglass --access-key-id {admin["access_key_id"]} < "$SECRET_FILE"
ATMOS_MFA_TOKEN=$MFA "$ATMOS" auth exec --identity plat-dev/breakglass -- aws sts get-caller-identity --query Arn --output text
realm=$("$ATMOS" auth whoami -i plat-dev/breakglass -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["realm"])')
secret-tool lookup service "atmos_${{realm}}_breakglass" username atmos-auth | grep -c '"type":"aws"'
"$ATMOS" auth logout breakglass --keychain
secret-tool lookup service "atmos_${{realm}}_breakglass" username atmos-auth || echo gone
"""
        env = {**self.env, "ATMOS_KEYRING_TYPE": "system", "ATMOS": ATMOS, "SECRET_FILE": secret_file, "MFA": totp(self.mfa)}
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        result = subprocess.run(["dbus-run-session", "--", "sh", "-c", script], cwd=self.repo, env=env, capture_output=True,
                                text=True, timeout=120, stdin=subprocess.DEVNULL)
        TRANSCRIPTS.append(result.stdout + result.stderr)
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        # A keyring daemon started by D-Bus activation may print its own NAME=value lines to the session's stdout.
        lines = [w for w in result.stdout.split() if not re.match(r"^[A-Z_]+=", w)]
        self.assertRegex(lines[0], r"^arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/")
        self.assertEqual(lines[1:], ["1", "gone"])

    def test_SystemKeyringWithoutBusFailsFast(self):
        start = time.time()
        env = {"ATMOS_KEYRING_TYPE": "system"}
        result = self.atmos("auth", "login", "--identity", "breakglass", "--mfa-token", "123456", env=env, drop=("DBUS_SESSION_BUS_ADDRESS",))
        self.assertLess(time.time() - start, 10)
        self.assertEqual(result.returncode, 1)
        self.assertIn("System keyring not available", result.stderr)
        self.assertIn("aws user not configured", result.stderr)

    # --- auth shell ---

    def test_ShellGetsTheIdentityEnvironmentAndPassesTheExitCode(self):
        self.ok("auth", "login", drop=("CI",))
        shell = self.script("fake-shell.sh", 'echo "args=$* identity=$ATMOS_IDENTITY level=$ATMOS_SHLVL profile=${AWS_PROFILE:-endpoint} '
                                             'key=${AWS_ACCESS_KEY_ID:-unset}"\nexit 5\n')
        result = self.atmos("auth", "shell", env={"SHELL": shell, "ATMOS_SHLVL": "1", "AWS_ACCESS_KEY_ID": "AKIAAMBIENT"})
        self.assertEqual(result.returncode, 5, result.stderr[-2000:])
        self.assertEqual(result.stdout.strip(), "args=-l identity=plat-dev/terraform level=2 profile=endpoint key=unset")
        self.assertIn("→ Entering Atmos shell with identity: plat-dev/terraform (acme-sso)", result.stderr)
        self.assertIn("Type 'exit' to return to your normal shell", result.stderr)
        self.assertIn("← Exited Atmos shell for identity: plat-dev/terraform (acme-sso)", result.stderr)
        preferred = self.atmos("auth", "shell", env={"SHELL": "/bin/false", "ATMOS_SHELL": shell})
        self.assertEqual(preferred.returncode, 5, preferred.stderr[-2000:])
        self.assertIn("identity=plat-dev/terraform", preferred.stdout)

    def test_ShellRunsARealShellReadingStdinAndShellArguments(self):
        self.ok("auth", "login", drop=("CI",))
        interactive = self.atmos("auth", "shell", "--shell", "/bin/sh", input='echo "in $ATMOS_IDENTITY"\nexit 3\n')
        self.assertEqual(interactive.returncode, 3, interactive.stderr[-2000:])
        self.assertEqual(interactive.stdout.strip(), "in plat-dev/terraform")
        arn = self.ok("auth", "shell", "-i", "core-auto/terraform", "--", "-c", "aws sts get-caller-identity --query Arn --output text",
                      env={"SHELL": "/bin/sh"})
        self.assertRegex(arn.stdout.strip(), r"^arn:aws:sts::333333333333:assumed-role/AWSReservedSSO_TerraformApplyAccess_")
        stray = self.atmos("auth", "shell", "extra")
        self.assertEqual(stray.returncode, 1)
        self.assertIn("unexpected argument: extra", stray.stderr)

    # --- auth console ---

    def test_ConsolePrintOnlyGivesALoginUrlThatSignsIn(self):
        self.ok("auth", "login", drop=("CI",))
        lab("POST", "/_lab/counters/reset")
        run_env = {**self.env, "AWS_ENDPOINT_URL_SIGNIN": ENDPOINT}
        result = subprocess.run([ATMOS, "auth", "console", "--print-only", "--destination", "s3"], cwd=self.repo, env=run_env,
                                capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        TRANSCRIPTS.append(result.stderr)  # stdout is the sign-in URL itself, printed on request
        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        url = result.stdout.strip()
        self.assertEqual(len(result.stdout.splitlines()), 1)
        prefix = ENDPOINT + "/federation?Action=login&Issuer=atmos&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fs3&SigninToken="
        self.assertTrue(url.startswith(prefix), "the URL printed is not the lab's login URL for s3")
        self.assertEqual(counts().get("signin:GetSigninToken"), 1)
        self.assertIsNone(counts().get("sso:GetRoleCredentials"))
        self.assertEqual(self.follow_login(url), (302, "https://console.aws.amazon.com/s3"))

    def follow_login(self, url: str) -> tuple[int, str]:
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            connection.request("GET", parts.path + "?" + parts.query)
            response = connection.getresponse()
            return response.status, response.getheader("Location", "")
        finally:
            connection.close()

    def test_ConsoleOpensTheBrowserAndNeverShowsTheUrl(self):
        self.ok("auth", "login", drop=("CI",))
        seen = os.path.join(self.dir, "console-seen")
        browser = self.script("console-browser.sh", 'curl -s -o /dev/null --noproxy "*" -w "%{http_code} %{redirect_url}" "$1" > "$SEEN.tmp"\n'
                                                    'mv "$SEEN.tmp" "$SEEN"\n')
        env = {"BROWSER": browser, "SEEN": seen, "AWS_ENDPOINT_URL_SIGNIN": ENDPOINT}
        result = self.ok("auth", "console", "--destination", "https://console.aws.amazon.com/ec2/home", "--duration", "30m", env=env)
        self.assertIn("✓ Opened console in browser", result.stderr)
        self.assertIn("Session Duration  30m 0s", result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertNotIn("Action=login", result.stderr)
        deadline = time.time() + 20
        while not os.path.exists(seen) and time.time() < deadline:
            time.sleep(0.05)
        with open(seen, encoding="utf-8") as handle:
            self.assertEqual(handle.read(), "302 https://console.aws.amazon.com/ec2/home")
        os.remove(seen)

        in_ci = self.ok("auth", "console", env={**env, "CI": "true"})
        self.assertIn("--print-only", in_ci.stderr)
        self.assertNotIn("Action=login", in_ci.stderr)
        self.assertEqual(in_ci.stdout, "")
        self.assertFalse(os.path.exists(seen))

    def test_ConsoleErrors(self):
        unknown = self.atmos("auth", "console", "--destination", "cloudfromation")
        self.assertEqual(unknown.returncode, 1)
        self.assertIn("unknown console destination: cloudfromation", unknown.stderr)
        self.assertIn("cloudformation", unknown.stderr)
        bad = self.atmos("auth", "console", "--duration", "soon")
        self.assertEqual(bad.returncode, 1)
        self.assertIn("invalid console session duration: soon", bad.stderr)
        not_signed_in = self.atmos("auth", "console", env={"CI": "true"})
        self.assertEqual(not_signed_in.returncode, 2)
        self.assertIn("atmos auth login --identity plat-dev/terraform", not_signed_in.stderr)

    # --- Error messages ---

    def test_Errors(self):
        unknown = self.atmos("auth", "whoami", "--identity", "nonexistent")
        self.assertEqual(unknown.returncode, 1)
        self.assertIn("identity not found", unknown.stderr)
        provider = self.atmos("auth", "login", "--provider", "nope")
        self.assertEqual(provider.returncode, 1)
        self.assertIn("provider not found", provider.stderr)
        bare = self.atmos("auth", "login", "--identity")
        self.assertEqual(bare.returncode, 1)
        self.assertIn("interactive identity selection: requires a TTY", bare.stderr)

    def test_Validate(self):
        self.assertIn("Authentication configuration is valid", self.ok("auth", "validate").stderr)
        self.write_config("""
auth:
  providers:
    sso: {kind: aws/iam-identity-centre, region: us-east-1, start_url: https://x.awsapps.com/start}
  identities:
    a: {kind: aws/assume-role, via: {identity: b}, principal: {assume_role: "arn:aws:iam::1:role/a"}}
    b: {kind: aws/assume-role, via: {identity: a}, principal: {assume_role: "arn:aws:iam::1:role/b"}}
""")
        result = self.atmos("auth", "validate")
        self.assertEqual(result.returncode, 1)
        self.assertIn("invalid auth config", result.stderr)
        self.assertIn("did you mean aws/iam-identity-center?", result.stderr)
        self.assertIn("identity cycle detected", result.stderr)
        cycle = self.atmos("auth", "login", "--identity", "a")
        self.assertEqual(cycle.returncode, 1)
        self.assertIn("circular dependency detected in identity chain", cycle.stderr)

    def test_List(self):
        tree = self.ok("auth", "list").stdout
        self.assertIn("acme-sso (aws/iam-identity-center)", tree)
        self.assertIn("● plat-dev/terraform (aws/permission-set) [DEFAULT]", tree)
        self.assertIn("● plat-dev/admin (aws/assume-role)", tree.split("superadmin (aws/user)")[1])
        listed = json.loads(self.ok("auth", "list", "-f", "json").stdout)
        self.assertEqual(sorted(listed), ["identities", "providers"])
        self.assertIn("plat-dev/terraform", listed["identities"])
        self.assertEqual(listed["identities"]["superadmin"]["credentials"]["secret_access_key"], "***REDACTED***")
        self.assertIn("acme-sso:", self.ok("auth", "list", "--format", "yaml").stdout)

    # --- Last: nothing the lab issued leaked into any output ---

    def test_zz_NoIssuedSecretInAnyOutput(self):
        secrets = [(entry["kind"], entry["value"]) for entry in lab("GET", "/_lab/secrets")["secrets"]]
        secrets += [("IAM secret access key", u["secret_access_key"]) for u in lab("GET", "/_lab/state")["iam_users"]]
        secrets.append(("GitHub request token", lab("GET", "/_lab/state")["github"]["request_token"]))
        self.assertGreater(len(TRANSCRIPTS), 20)
        self.assertGreater(len(secrets), 10)
        leaked = sorted({kind for kind, secret in secrets if len(secret) >= 8 for text in TRANSCRIPTS if secret in text})
        self.assertEqual(leaked, [], "kinds of issued secrets found in atmos output")


if __name__ == "__main__":
    unittest.main(verbosity=2)
