"""Acceptance 1 (IAM Identity Center): boto3 drives SSO-OIDC's device and refresh grants with AWS's error
types, and the SSO portal's listings, role credentials and logout."""

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.request

import botocore.exceptions

from labcase import DEVICE_GRANT, NO_RETRIES, START_URL, error_code, lab

CALLER_ARN = "import boto3; print(boto3.Session(profile_name='dev').client('sts').get_caller_identity()['Arn'])"


class DeviceFlow(unittest.TestCase):
    def setUp(self):
        self.lab = lab()
        self.oidc = self.lab.client("sso-oidc", config=NO_RETRIES)
        client = self.oidc.register_client(clientName="lab-check", clientType="public", grantTypes=[DEVICE_GRANT, "refresh_token"])
        self.ids = {"clientId": client["clientId"], "clientSecret": client["clientSecret"]}

    def tearDown(self):
        self.lab.reset_clock()
        self.lab.post("/_lab/lifetimes", {"device_authorization": 600, "client_registration": 90 * 86400})

    def start(self) -> dict:
        return self.oidc.start_device_authorization(**self.ids, startUrl=START_URL)

    def poll(self, device: dict) -> dict:
        return self.oidc.create_token(**self.ids, grantType=DEVICE_GRANT, deviceCode=device["deviceCode"])

    def assertRejected(self, call, code: str):
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            call()
        self.assertEqual(error_code(raised.exception), code)

    def visit(self, url: str) -> int:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status

    def caller_arn(self, access_token: str, account_id: str = "222222222222", role: str = "TerraformApplyAccess") -> str:
        role_credentials = self.lab.client("sso").get_role_credentials(accessToken=access_token, accountId=account_id, roleName=role)
        role = role_credentials["roleCredentials"]
        sts = self.lab.client(
            "sts", {"AccessKeyId": role["accessKeyId"], "SecretAccessKey": role["secretAccessKey"], "SessionToken": role["sessionToken"]}
        )
        return sts.get_caller_identity()["Arn"]

    def test_PendingThenSlowDownThenApprovedAsDefaultUser(self):
        device = self.start()
        self.assertTrue(device["verificationUriComplete"].startswith(self.lab.endpoint))
        self.assertEqual(device["interval"], 1)
        self.assertRejected(lambda: self.poll(device), "AuthorizationPendingException")
        self.assertRejected(lambda: self.poll(device), "SlowDownException")
        self.assertEqual(self.visit(device["verificationUriComplete"]), 200)
        token = self.poll(device)
        self.assertEqual(token["tokenType"], "Bearer")
        self.assertEqual(token["expiresIn"], 28800)
        self.assertIn("refreshToken", token)
        arn = self.caller_arn(token["accessToken"])
        self.assertEqual(arn, f"arn:aws:sts::222222222222:assumed-role/{self.lab.role_name('TerraformApplyAccess')}/alice")

    def test_ApprovalAsNamedUser(self):
        device = self.start()
        self.visit(device["verificationUriComplete"] + "&user=bob")
        arn = self.caller_arn(self.poll(device)["accessToken"], "444444444444", "TerraformPlanAccess")
        self.assertTrue(arn.endswith("/bob"), arn)

    def test_DeniedIsAccessDeniedException(self):
        device = self.start()
        self.visit(f"{self.lab.endpoint}/_lab/device/deny?user_code={device['userCode']}")
        self.assertRejected(lambda: self.poll(device), "AccessDeniedException")

    def test_ExpiredDeviceCodeIsExpiredTokenException(self):
        self.lab.post("/_lab/lifetimes", {"device_authorization": 60})
        device = self.start()
        self.assertEqual(device["expiresIn"], 60)
        self.lab.shift_clock(61)
        self.assertRejected(lambda: self.poll(device), "ExpiredTokenException")

    def test_WrongClientSecretIsInvalidClientException(self):
        device = self.start()
        wrong = {**self.ids, "clientSecret": "not-the-secret"}
        self.assertRejected(
            lambda: self.oidc.create_token(**wrong, grantType=DEVICE_GRANT, deviceCode=device["deviceCode"]), "InvalidClientException"
        )
        self.assertRejected(lambda: self.oidc.start_device_authorization(**wrong, startUrl=START_URL), "InvalidClientException")

    def test_ExpiredRegistrationIsInvalidClientException(self):
        self.lab.post("/_lab/lifetimes", {"client_registration": 3600})
        client = self.oidc.register_client(clientName="short", clientType="public")
        self.lab.shift_clock(3601)
        self.assertRejected(
            lambda: self.oidc.start_device_authorization(clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=START_URL),
            "InvalidClientException",
        )

    def test_UnknownOrRedeemedDeviceCodeIsInvalidGrantException(self):
        self.assertRejected(lambda: self.poll({"deviceCode": "unknown"}), "InvalidGrantException")
        device = self.start()
        self.visit(device["verificationUriComplete"])
        self.poll(device)
        self.assertRejected(lambda: self.poll(device), "InvalidGrantException")

    def test_RefreshGrantRotatesTheRefreshToken(self):
        device = self.start()
        self.visit(device["verificationUriComplete"] + "&user=carol")
        first = self.poll(device)
        refreshed = self.oidc.create_token(**self.ids, grantType="refresh_token", refreshToken=first["refreshToken"])
        self.assertTrue(refreshed["accessToken"] != first["accessToken"])
        self.assertTrue(refreshed["refreshToken"] != first["refreshToken"])
        self.assertTrue(self.caller_arn(refreshed["accessToken"]).endswith("/carol"))
        self.assertRejected(
            lambda: self.oidc.create_token(**self.ids, grantType="refresh_token", refreshToken=first["refreshToken"]), "InvalidGrantException"
        )

    def test_ClientWithoutRefreshGrantGetsNoRefreshToken(self):
        token = self.lab.sso_token(grant_types=(DEVICE_GRANT,))
        self.assertNotIn("refreshToken", token)

    def test_UnknownStartUrlIsInvalidRequestException(self):
        self.assertRejected(lambda: self.oidc.start_device_authorization(**self.ids, startUrl="https://other.awsapps.com/start"), "InvalidRequestException")


class Portal(unittest.TestCase):
    def setUp(self):
        self.lab = lab()
        self.sso = self.lab.client("sso", config=NO_RETRIES)

    def tearDown(self):
        self.lab.reset_clock()

    def assertRejected(self, call, code: str):
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            call()
        self.assertEqual(error_code(raised.exception), code)

    def test_ListAccountsPaginates(self):
        token = self.lab.sso_token("bob")["accessToken"]
        first = self.sso.list_accounts(accessToken=token, maxResults=2)
        self.assertEqual(len(first["accountList"]), 2)
        self.assertIn("nextToken", first)
        pages = list(self.sso.get_paginator("list_accounts").paginate(accessToken=token, PaginationConfig={"PageSize": 3}))
        self.assertEqual(len(pages), 3)
        names = sorted(a["accountName"] for page in pages for a in page["accountList"])
        self.assertEqual(names, sorted(a["name"] for a in self.lab.state["accounts"]))

    def test_ListAccountRolesPaginates(self):
        token = self.lab.sso_token("carol")["accessToken"]
        first = self.sso.list_account_roles(accessToken=token, accountId="222222222222", maxResults=1)
        second = self.sso.list_account_roles(accessToken=token, accountId="222222222222", maxResults=1, nextToken=first["nextToken"])
        self.assertNotIn("nextToken", second)
        roles = [r["roleName"] for r in first["roleList"] + second["roleList"]]
        self.assertEqual(sorted(roles), ["RootAccess", "TerraformApplyAccess"])

    def test_BadNextTokenIsInvalidRequestException(self):
        token = self.lab.sso_token()["accessToken"]
        self.assertRejected(lambda: self.sso.list_accounts(accessToken=token, nextToken="garbage"), "InvalidRequestException")

    def test_RoleOutsideTheUsersAssignmentsIsForbidden(self):
        token = self.lab.sso_token("bob")["accessToken"]
        self.assertRejected(
            lambda: self.sso.get_role_credentials(accessToken=token, accountId="444444444444", roleName="TerraformApplyAccess"),
            "ForbiddenException",
        )

    def test_RoleCredentialsLastThePermissionSetsDuration(self):
        token = self.lab.sso_token("carol")["accessToken"]
        role = self.sso.get_role_credentials(accessToken=token, accountId="222222222222", roleName="RootAccess")["roleCredentials"]
        now_ms = self.lab.now().timestamp() * 1000
        self.assertAlmostEqual(role["expiration"] - now_ms, 900_000, delta=5_000)

    def test_PermissionSetPolicyIsEnforced(self):
        plan = self.lab.client("s3", self.lab.role_credentials("plat-staging", "TerraformPlanAccess", "bob"), config=NO_RETRIES)
        plan.list_objects_v2(Bucket="acme-plat-staging-tfstate")
        self.assertRejected(lambda: plan.put_object(Bucket="acme-plat-staging-tfstate", Key="k", Body=b"x"), "AccessDenied")
        # Plan may take and release Terraform's state lock (use_lockfile) but not write state.
        plan.put_object(Bucket="acme-plat-staging-tfstate", Key="env/vpc/terraform.tfstate.tflock", Body=b"{}")
        plan.delete_object(Bucket="acme-plat-staging-tfstate", Key="env/vpc/terraform.tfstate.tflock")
        self.assertRejected(
            lambda: plan.put_object(Bucket="acme-plat-staging-tfstate", Key="env/vpc/terraform.tfstate", Body=b"{}"),
            "AccessDenied",
        )
        apply = self.lab.client("s3", self.lab.role_credentials("plat-staging", "TerraformApplyAccess", "alice"))
        apply.put_object(Bucket="acme-plat-staging-tfstate", Key="k", Body=b"x")

    def test_ExpiredAccessTokenIsUnauthorized(self):
        token = self.lab.sso_token()["accessToken"]
        self.lab.shift_clock(28801)
        self.assertRejected(lambda: self.sso.list_accounts(accessToken=token), "UnauthorizedException")

    def test_LogoutInvalidatesAccessAndRefreshTokens(self):
        token = self.lab.sso_token()
        self.sso.logout(accessToken=token["accessToken"])
        self.assertRejected(lambda: self.sso.list_accounts(accessToken=token["accessToken"]), "UnauthorizedException")
        self.assertRejected(lambda: self.sso.logout(accessToken=token["accessToken"]), "UnauthorizedException")
        oidc = self.lab.client("sso-oidc", config=NO_RETRIES)
        self.assertRejected(
            lambda: oidc.create_token(
                clientId=token["clientId"], clientSecret=token["clientSecret"], grantType="refresh_token", refreshToken=token["refreshToken"]
            ),
            "InvalidGrantException",
        )


class BotocoreSsoProvider(unittest.TestCase):
    """botocore's SSO credential provider reads `[sso-session]` config and the token cache
    `~/.aws/sso/cache/<sha1(session name)>.json` (the layout atmos writes) and calls the lab's portal."""

    def setUp(self):
        self.lab = lab()
        self.home = tempfile.mkdtemp(prefix="lab-botocore-sso-")
        self.addCleanup(shutil.rmtree, self.home)
        self.cache_file = os.path.join(self.home, ".aws", "sso", "cache", hashlib.sha1(b"acme").hexdigest() + ".json")
        os.makedirs(os.path.dirname(self.cache_file))
        with open(os.path.join(self.home, ".aws", "config"), "w") as handle:
            handle.write(
                "[profile dev]\nsso_session = acme\nsso_account_id = 222222222222\nsso_role_name = TerraformApplyAccess\n"
                f"region = us-east-1\n[sso-session acme]\nsso_start_url = {START_URL}\nsso_region = us-east-1\n"
            )

    def write_cache(self, token: dict, expires_in: int) -> None:
        expires_at = self.lab.now() + datetime.timedelta(seconds=expires_in)
        cache = {
            "startUrl": START_URL,
            "region": "us-east-1",
            "accessToken": token["accessToken"],
            "expiresAt": expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "clientId": token["clientId"],
            "clientSecret": token["clientSecret"],
            "registrationExpiresAt": (expires_at + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "refreshToken": token["refreshToken"],
        }
        with open(os.open(self.cache_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
            json.dump(cache, handle)

    def caller_arn(self) -> str:
        env = self.lab.subprocess_env(
            HOME=self.home,
            AWS_CONFIG_FILE=os.path.join(self.home, ".aws", "config"),
            AWS_ENDPOINT_URL_SSO=self.lab.endpoint,
            AWS_ENDPOINT_URL_SSO_OIDC=self.lab.endpoint,
        )
        result = subprocess.run([sys.executable, "-c", CALLER_ARN], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        return result.stdout.strip()

    def test_CachedTokenYieldsTheUsersRoleCredentials(self):
        self.write_cache(self.lab.sso_token("bob"), 3600)
        self.assertEqual(self.caller_arn(), f"arn:aws:sts::222222222222:assumed-role/{self.lab.role_name('TerraformApplyAccess')}/bob")

    def test_TokenNearExpiryIsRefreshedWithTheRefreshGrant(self):
        token = self.lab.sso_token("bob")
        self.write_cache(token, 300)
        before = self.lab.counts().get("sso-oidc:CreateToken", 0)
        self.assertTrue(self.caller_arn().endswith("/bob"))
        self.assertEqual(self.lab.counts().get("sso-oidc:CreateToken", 0), before + 1)
        with open(self.cache_file) as handle:
            refreshed = json.load(handle)
        self.assertTrue(refreshed["accessToken"] != token["accessToken"], "botocore did not store a refreshed token")


if __name__ == "__main__":
    unittest.main()
