"""Fault injection and inspection: throttling, HTTP 500 and delays for the next N calls of an operation,
call counters, token lifetimes, the lab clock, and the ledger of issued secrets."""

import time
import unittest

import botocore.exceptions

from labcase import NO_RETRIES, error_code, lab


class Faults(unittest.TestCase):
    def setUp(self):
        self.lab = lab()
        self.sts = self.lab.client("sts", self.lab.user_keys("admin"), config=NO_RETRIES)

    def tearDown(self):
        self.lab.call("DELETE", "/_lab/faults")
        self.lab.post("/_lab/lifetimes", {"sso_access_token": 28800})

    def fault(self, operation: str, kind: str, count: int = 1, delay_seconds: float = 0) -> None:
        self.lab.post("/_lab/faults", {"operation": operation, "kind": kind, "count": count, "delay_seconds": delay_seconds})

    def assertRejected(self, call, code: str, status: int):
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            call()
        self.assertEqual(error_code(raised.exception), code)
        self.assertEqual(raised.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)

    def test_ThrottleNextTwoCallsThenSucceed(self):
        self.fault("sts:GetCallerIdentity", "throttle", 2)
        self.assertRejected(self.sts.get_caller_identity, "Throttling", 400)
        self.assertRejected(self.sts.get_caller_identity, "Throttling", 400)
        self.sts.get_caller_identity()

    def test_ServerErrorOnS3(self):
        s3 = self.lab.client("s3", self.lab.role_credentials("plat-dev", "TerraformApplyAccess"), config=NO_RETRIES)
        self.fault("s3:ListObjectsV2", "error")
        self.assertRejected(lambda: s3.list_objects_v2(Bucket="acme-plat-dev-tfstate"), "InternalError", 500)
        s3.list_objects_v2(Bucket="acme-plat-dev-tfstate")

    def test_ThrottleSsoOidcAndPortal(self):
        oidc = self.lab.client("sso-oidc", config=NO_RETRIES)
        self.fault("sso-oidc:RegisterClient", "throttle")
        self.assertRejected(lambda: oidc.register_client(clientName="x", clientType="public"), "TooManyRequestsException", 429)
        token = self.lab.sso_token()["accessToken"]
        self.fault("sso:ListAccounts", "error")
        sso = self.lab.client("sso", config=NO_RETRIES)
        self.assertRejected(lambda: sso.list_accounts(accessToken=token), "InternalServerException", 500)

    def test_DelayHoldsTheResponse(self):
        self.fault("sts:GetCallerIdentity", "delay", 1, delay_seconds=0.5)
        started = time.monotonic()
        self.sts.get_caller_identity()
        self.assertGreaterEqual(time.monotonic() - started, 0.5)

    def test_BotocoreRetriesThrottlingLikeAws(self):
        self.fault("sts:GetCallerIdentity", "throttle", 2)
        retrying = self.lab.client("sts", self.lab.user_keys("admin"))
        retrying.get_caller_identity()

    def test_UnknownFaultKindIsRejected(self):
        status, _ = self.lab.call("POST", "/_lab/faults", {"operation": "sts:AssumeRole", "kind": "explode"})
        self.assertEqual(status, 400)


class Inspection(unittest.TestCase):
    def setUp(self):
        self.lab = lab()

    def tearDown(self):
        self.lab.post("/_lab/lifetimes", {"sso_access_token": 28800})
        self.lab.reset_clock()

    def test_CountersCountEachOperation(self):
        self.lab.post("/_lab/counters/reset", {})
        self.lab.sso_token()
        counts = self.lab.counts()
        self.assertEqual(counts.get("sso-oidc:StartDeviceAuthorization"), 1)
        self.assertEqual(counts.get("sso-oidc:RegisterClient"), 1)
        self.assertEqual(counts.get("sso-oidc:CreateToken"), 1)

    def test_ShortenedLifetimeShowsInCreateToken(self):
        self.lab.post("/_lab/lifetimes", {"sso_access_token": 120})
        token = self.lab.sso_token()
        self.assertEqual(token["expiresIn"], 120)
        self.lab.shift_clock(121)
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            self.lab.client("sso").list_accounts(accessToken=token["accessToken"])
        self.assertEqual(error_code(raised.exception), "UnauthorizedException")

    def test_UnknownLifetimeIsRejected(self):
        status, _ = self.lab.call("POST", "/_lab/lifetimes", {"forever": 1})
        self.assertEqual(status, 400)

    def test_ClockShiftIsReported(self):
        self.lab.shift_clock(90)
        self.assertEqual(self.lab.get("/_lab/clock")["offset_seconds"], 90)

    def test_LedgerHoldsEverySecretKind(self):
        token = self.lab.sso_token()
        role = self.lab.role_credentials("plat-dev", "TerraformApplyAccess")
        jwt = self.lab.github_jwt()
        admin = self.lab.iam_user("admin")
        issued = set(self.lab.secrets())
        for secret in (token["accessToken"], token["refreshToken"], token["clientSecret"], role["SecretAccessKey"],
                       role["SessionToken"], jwt, admin["secret_access_key"]):
            self.assertTrue(secret in issued, "an issued secret is missing from the ledger")
        kinds = {entry["kind"] for entry in self.lab.get("/_lab/secrets")["secrets"]}
        self.assertTrue({"secret_access_key", "session_token", "sso_access_token", "sso_refresh_token", "client_secret", "jwt"} <= kinds)

    def test_LabLogNeverContainsASecret(self):
        self.lab.role_credentials("plat-dev", "TerraformApplyAccess")
        with open(self.lab.process.log_file, encoding="utf-8", errors="replace") as log:
            text = log.read()
        self.assertIn("/device_authorization", text)
        leaked = [s for s in self.lab.secrets() if s in text]
        self.assertTrue(not leaked, f"{len(leaked)} issued secret(s) appear in the lab log")


if __name__ == "__main__":
    unittest.main()
