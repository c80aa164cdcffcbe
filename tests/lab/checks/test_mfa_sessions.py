"""Acceptance 3 (MFA): GetSessionToken checks the TOTP of the IAM user's virtual MFA device and mints
per-user session credentials that moto's policy check sees as that user, with MFA present."""

import shutil
import subprocess
import time
import unittest

import botocore.exceptions

from labcase import NO_RETRIES, error_code, lab

ORGANIZATION_ROLE = "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def credentials(response: dict) -> dict:
    return response["Credentials"]


class MfaSessions(unittest.TestCase):
    def setUp(self):
        self.lab = lab()
        self.admin = self.lab.iam_user("admin")
        self.sts = self.lab.client("sts", self.lab.user_keys("admin"), config=NO_RETRIES)

    def tearDown(self):
        self.lab.reset_clock()

    def session(self, **kwargs) -> dict:
        return credentials(self.sts.get_session_token(**kwargs))

    def assertRejected(self, call, code: str, message_part: str = ""):
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            call()
        self.assertEqual(error_code(raised.exception), code)
        self.assertIn(message_part, raised.exception.response["Error"]["Message"])

    def test_RightCodeMintsSessionOfTheUser(self):
        session = self.session(SerialNumber=self.admin["mfa_serial"], TokenCode=self.lab.totp(self.admin["mfa_serial"]))
        self.assertTrue(session["AccessKeyId"].startswith("ASIA"))
        self.assertTrue(session["SecretAccessKey"] != self.admin["secret_access_key"])
        arn = self.lab.client("sts", session).get_caller_identity()["Arn"]
        self.assertEqual(arn, "arn:aws:iam::111111111111:user/admin")

    def test_OathtoolCodeFromTheSeedIsAccepted(self):
        oathtool = shutil.which("oathtool")
        if oathtool is None:
            self.skipTest("oathtool (Debian package) is not installed")
        code = subprocess.run([oathtool, "--totp", "-b", self.admin["mfa_seed"]], capture_output=True, text=True, check=True)
        self.session(SerialNumber=self.admin["mfa_serial"], TokenCode=code.stdout.strip())

    def test_WrongCodeIsAccessDenied(self):
        right = self.lab.totp(self.admin["mfa_serial"])
        wrong = f"{(int(right) + 500000) % 1000000:06d}"
        self.assertRejected(
            lambda: self.session(SerialNumber=self.admin["mfa_serial"], TokenCode=wrong), "AccessDenied", "invalid MFA one time pass code"
        )

    def test_CodeOneStepOldIsAcceptedTwoStepsOldIsNot(self):
        centered = 15 - time.time() % 30  # the lab clock mid-step: no step boundary during the test
        self.lab.post("/_lab/clock", {"offset_seconds": centered - 30})
        previous = self.lab.totp(self.admin["mfa_serial"])
        self.lab.post("/_lab/clock", {"offset_seconds": centered - 60})
        older = self.lab.totp(self.admin["mfa_serial"])
        self.lab.post("/_lab/clock", {"offset_seconds": centered})
        self.session(SerialNumber=self.admin["mfa_serial"], TokenCode=previous)
        if older != self.lab.totp(self.admin["mfa_serial"]):
            self.assertRejected(lambda: self.session(SerialNumber=self.admin["mfa_serial"], TokenCode=older), "AccessDenied")

    def test_UnknownSerialIsAccessDenied(self):
        self.assertRejected(
            lambda: self.session(SerialNumber="arn:aws:iam::111111111111:mfa/nobody", TokenCode="123456"),
            "AccessDenied",
            "MFA serial number is valid",
        )

    def test_MalformedCodeIsValidationError(self):
        self.assertRejected(lambda: self.session(SerialNumber=self.admin["mfa_serial"], TokenCode="12345a"), "ValidationError")

    def test_DurationOutOfRangeIsValidationError(self):
        status, body = self.lab.signed_request(
            "POST", "/", self.lab.user_keys("admin"), "sts", self.lab.now(), b"Action=GetSessionToken&Version=2011-06-15&DurationSeconds=600", FORM
        )
        self.assertEqual(status, 400)
        self.assertIn("<Code>ValidationError</Code>", body)

    def test_MfaSessionMayAssumeOrganizationRole(self):
        session = self.session(SerialNumber=self.admin["mfa_serial"], TokenCode=self.lab.totp(self.admin["mfa_serial"]))
        role = credentials(self.lab.client("sts", session).assume_role(RoleArn=ORGANIZATION_ROLE, RoleSessionName="breakglass"))
        arn = self.lab.client("sts", role).get_caller_identity()["Arn"]
        self.assertEqual(arn, "arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/breakglass")

    def test_WithoutMfaTheOrganizationRoleIsDenied(self):
        self.assertRejected(lambda: self.sts.assume_role(RoleArn=ORGANIZATION_ROLE, RoleSessionName="nomfa"), "AccessDenied")
        session = self.session()
        plain = self.lab.client("sts", session, config=NO_RETRIES)
        self.assertRejected(lambda: plain.assume_role(RoleArn=ORGANIZATION_ROLE, RoleSessionName="nomfa"), "AccessDenied")

    def test_SessionCredentialsCannotCallGetSessionToken(self):
        session = self.lab.client("sts", self.session(), config=NO_RETRIES)
        self.assertRejected(session.get_session_token, "AccessDenied", "session credentials")

    def test_SessionExpiresOnTheLabClock(self):
        session = self.session(DurationSeconds=900)
        client = self.lab.client("sts", session, config=NO_RETRIES)
        client.get_caller_identity()
        self.lab.post("/_lab/clock", {"offset_seconds": 901})
        status, body = self.lab.signed_request(
            "POST", "/", session, "sts", self.lab.now(), b"Action=GetCallerIdentity&Version=2011-06-15", FORM
        )
        self.assertEqual(status, 403)
        self.assertIn("<Code>ExpiredToken</Code>", body)


if __name__ == "__main__":
    unittest.main()
