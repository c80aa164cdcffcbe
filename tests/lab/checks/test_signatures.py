"""Acceptance 3 (signatures): moto's signature checking is on, its SigV4 bugs are fixed in-process, and
clock skew is enforced like AWS."""

import datetime
import unittest

import botocore.exceptions

from labcase import NO_RETRIES, error_code, lab, utcnow

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
CALLER_IDENTITY = b"Action=GetCallerIdentity&Version=2011-06-15"


class Signatures(unittest.TestCase):
    def setUp(self):
        self.lab = lab()
        self.admin = self.lab.user_keys("admin")

    def tearDown(self):
        self.lab.reset_clock()

    def assertRejected(self, call, code: str):
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            call()
        self.assertEqual(error_code(raised.exception), code)

    def test_RightKeysSucceed(self):
        arn = self.lab.client("sts", self.admin).get_caller_identity()["Arn"]
        self.assertEqual(arn, "arn:aws:iam::111111111111:user/admin")

    def test_WrongSecretIsSignatureDoesNotMatch(self):
        wrong = {**self.admin, "SecretAccessKey": "w" * 40}
        self.assertRejected(self.lab.client("sts", wrong).get_caller_identity, "SignatureDoesNotMatch")
        self.assertRejected(lambda: self.lab.client("s3", wrong).list_buckets(), "SignatureDoesNotMatch")

    def test_UnknownAccessKeyIsInvalidClientTokenId(self):
        unknown = {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "w" * 40}
        self.assertRejected(self.lab.client("sts", unknown).get_caller_identity, "InvalidClientTokenId")

    def test_WrongSessionTokenIsRejected(self):
        role = self.lab.role_credentials("plat-dev", "TerraformApplyAccess")
        wrong = {**role, "SessionToken": role["SessionToken"][:-4] + "AAAA"}
        self.assertRejected(self.lab.client("sts", wrong).get_caller_identity, "InvalidClientTokenId")
        self.assertRejected(lambda: self.lab.client("s3", wrong).list_objects_v2(Bucket="acme-plat-dev-tfstate"), "InvalidToken")
        self.lab.client("sts", role).get_caller_identity()

    def test_TenMinuteOldSignatureIsExpired(self):
        status, body = self.lab.signed_request(
            "POST", "/", self.admin, "sts", utcnow() - datetime.timedelta(minutes=10), CALLER_IDENTITY, FORM
        )
        self.assertEqual(status, 403)
        self.assertIn("<Code>SignatureDoesNotMatch</Code>", body)
        self.assertIn("Signature expired", body)

    def test_SignatureFromTheFutureIsNotYetCurrent(self):
        status, body = self.lab.signed_request(
            "POST", "/", self.admin, "sts", utcnow() + datetime.timedelta(minutes=10), CALLER_IDENTITY, FORM
        )
        self.assertEqual(status, 403)
        self.assertIn("Signature not yet current", body)

    def test_SignatureWithinFiveMinutesIsAccepted(self):
        status, body = self.lab.signed_request(
            "POST", "/", self.admin, "sts", utcnow() - datetime.timedelta(minutes=4), CALLER_IDENTITY, FORM
        )
        self.assertEqual(status, 200, body)
        self.assertIn("arn:aws:iam::111111111111:user/admin", body)

    def test_S3SkewIsRequestTimeTooSkewed(self):
        status, body = self.lab.signed_request(
            "GET", "/acme-plat-dev-tfstate?list-type=2", self.admin, "s3", utcnow() - datetime.timedelta(minutes=10),
            headers={"X-Amz-Content-SHA256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        )
        self.assertEqual(status, 403)
        self.assertIn("<Code>RequestTimeTooSkewed</Code>", body)

    def test_ShiftedLabClockRejectsFreshSignatures(self):
        self.lab.shift_clock(600)
        self.assertRejected(self.lab.client("sts", self.admin, config=NO_RETRIES).get_caller_identity, "SignatureDoesNotMatch")
        self.lab.reset_clock()
        self.lab.client("sts", self.admin).get_caller_identity()

    def test_SignedGetQueryRequestIsAccepted(self):
        status, body = self.lab.signed_request(
            "GET", "/?Action=GetCallerIdentity&Version=2011-06-15", self.admin, "sts", utcnow()
        )
        self.assertEqual(status, 200, body)

    def test_PercentEscapedQueryIsAccepted(self):
        role = self.lab.role_credentials("plat-dev", "TerraformApplyAccess")
        s3 = self.lab.client("s3", role)
        s3.put_object(Bucket="acme-plat-dev-tfstate", Key="env:/dev/state", Body=b"{}")
        listing = s3.list_objects_v2(Bucket="acme-plat-dev-tfstate", Prefix="env:/")
        self.assertEqual([o["Key"] for o in listing["Contents"]], ["env:/dev/state"])

    def test_UnsignedRequestIsMissingAuthenticationToken(self):
        self.assertRejected(self.lab.client("sts").get_caller_identity, "MissingAuthenticationToken")
        self.assertRejected(lambda: self.lab.client("s3").list_objects_v2(Bucket="acme-plat-dev-tfstate"), "AccessDenied")


if __name__ == "__main__":
    unittest.main()
