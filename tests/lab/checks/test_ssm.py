"""SSM Parameter Store (moto's) behind the lab's endpoint, as AWS answers it: signed requests only, the
permission set's policy checked against the parameter's ARN, another account's parameter refused, and every
failure in the awsJson protocol's error shape. With boto3 and with both AWS CLIs."""

import datetime
import json
import os
import subprocess
import unittest

import botocore.exceptions

from labcase import NO_RETRIES, error_code, lab

DEV, NETWORK = "222222222222", "999999999999"


class SsmCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lab = lab()
        cls.dev_admin = cls.lab.role_credentials("plat-dev", "TerraformApplyAccess", "alice")
        cls.network_admin = cls.lab.role_credentials("core-network", "TerraformApplyAccess", "alice")
        cls.lab.client("ssm", cls.dev_admin).put_parameter(Name="/acme/plat-dev/vpc_id", Value="vpc-0dev", Type="String", Overwrite=True)

    def assertRefused(self, call, code: str, *message_parts: str):
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            call()
        self.assertEqual(error_code(raised.exception), code)
        self.assertEqual(raised.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        for part in message_parts:
            self.assertIn(part, raised.exception.response["Error"]["Message"])


class Parameters(SsmCase):
    def test_PutAndGetInTheCallersAccount(self):
        ssm = self.lab.client("ssm", self.dev_admin)
        ssm.put_parameter(Name="/acme/plat-dev/db_password", Value="s3cr3t-value", Type="SecureString", Overwrite=True)
        parameter = ssm.get_parameter(Name="/acme/plat-dev/db_password", WithDecryption=True)["Parameter"]
        self.assertTrue(parameter["Value"] == "s3cr3t-value")
        self.assertEqual(parameter["ARN"], f"arn:aws:ssm:us-east-1:{DEV}:parameter/acme/plat-dev/db_password")
        by_arn = ssm.get_parameter(Name=f"arn:aws:ssm:us-east-1:{DEV}:parameter/acme/plat-dev/vpc_id")["Parameter"]
        self.assertEqual(by_arn["Value"], "vpc-0dev")
        names = [p["Name"] for p in ssm.get_parameters_by_path(Path="/acme/plat-dev")["Parameters"]]
        self.assertIn("/acme/plat-dev/vpc_id", names)

    def test_ParametersAreCounted(self):
        self.lab.post("/_lab/counters/reset", {})
        self.lab.client("ssm", self.dev_admin).get_parameter(Name="/acme/plat-dev/vpc_id")
        self.assertEqual(self.lab.counts().get("ssm:GetParameter"), 1)

    def test_PlanAccessReadsButCannotWrite(self):
        ssm = self.lab.client("ssm", self.lab.role_credentials("plat-staging", "TerraformPlanAccess", "bob"))
        staging_admin = self.lab.client("ssm", self.lab.role_credentials("plat-staging", "TerraformApplyAccess", "alice"))
        staging_admin.put_parameter(Name="/acme/plat-staging/vpc_id", Value="vpc-0stg", Type="String", Overwrite=True)
        self.assertEqual(ssm.get_parameter(Name="/acme/plat-staging/vpc_id")["Parameter"]["Value"], "vpc-0stg")
        arn = "arn:aws:ssm:us-east-1:444444444444:parameter/acme/plat-staging/vpc_id"
        self.assertRefused(
            lambda: ssm.put_parameter(Name="/acme/plat-staging/vpc_id", Value="changed", Type="String", Overwrite=True),
            "AccessDeniedException", f"is not authorized to perform: ssm:PutParameter on resource: {arn} because no identity-based policy",
        )
        self.assertEqual(staging_admin.get_parameter(Name="/acme/plat-staging/vpc_id")["Parameter"]["Value"], "vpc-0stg")

    def test_StateAccessCannotReadParameters(self):
        ssm = self.lab.client("ssm", self.lab.role_credentials("core-network", "TerraformStateAccess", "bob"))
        self.assertRefused(lambda: ssm.get_parameter(Name="/acme/core-network/tgw_id"), "AccessDeniedException",
                           f"ssm:GetParameter on resource: arn:aws:ssm:us-east-1:{NETWORK}:parameter/acme/core-network/tgw_id")

    def test_AnotherAccountsParameterIsRefused(self):
        ssm = self.lab.client("ssm", self.network_admin)
        arn = f"arn:aws:ssm:us-east-1:{DEV}:parameter/acme/plat-dev/vpc_id"
        self.assertRefused(lambda: ssm.get_parameter(Name=arn), "AccessDeniedException",
                           f"on resource: {arn} because no resource-based policy allows the ssm:GetParameter action")
        self.assertRefused(lambda: ssm.get_parameters(Names=["/acme/core-network/x", arn]), "AccessDeniedException", arn)
        self.assertRefused(lambda: ssm.put_parameter(Name=arn, Value="taken", Type="String", Overwrite=True), "AccessDeniedException", arn)
        # By name a request reads the caller's own account, where the parameter does not exist.
        self.assertRefused(lambda: ssm.get_parameter(Name="/acme/plat-dev/vpc_id"), "ParameterNotFound")
        self.assertEqual(self.lab.client("ssm", self.dev_admin).get_parameter(Name=arn)["Parameter"]["Value"], "vpc-0dev")


class Authentication(SsmCase):
    def tearDown(self):
        self.lab.reset_clock()
        self.lab.post("/_lab/lifetimes", {"role_credentials": 0})

    def test_WrongSecretIsInvalidSignatureException(self):
        wrong = {**self.dev_admin, "SecretAccessKey": "w" * 40}
        self.assertRefused(lambda: self.lab.client("ssm", wrong).get_parameter(Name="/acme/plat-dev/vpc_id"),
                           "InvalidSignatureException", "The request signature we calculated does not match")

    def test_UnknownKeyIsUnrecognizedClientException(self):
        unknown = {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "w" * 40}
        self.assertRefused(lambda: self.lab.client("ssm", unknown).get_parameter(Name="/acme/plat-dev/vpc_id"),
                           "UnrecognizedClientException", "The security token included in the request is invalid.")

    def test_ExpiredSessionIsExpiredTokenException(self):
        self.lab.post("/_lab/lifetimes", {"role_credentials": 60})
        short = self.lab.role_credentials("plat-dev", "TerraformApplyAccess", "alice")
        self.lab.shift_clock(120)
        self.assertRefused(lambda: self.lab.client("ssm", short, config=NO_RETRIES).get_parameter(Name="/acme/plat-dev/vpc_id"),
                           "ExpiredTokenException", "The security token included in the request is expired")

    def test_UnsignedRequestIsRefused(self):
        self.lab.post("/_lab/counters/reset", {})
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            self.lab.client("ssm").get_parameter(Name="/acme/plat-dev/vpc_id")
        self.assertEqual(error_code(raised.exception), "MissingAuthenticationTokenException")
        self.assertEqual(self.lab.counts(), {"ssm:GetParameter": 1})

    def test_TenMinuteOldSignatureIsRefused(self):
        status, body = self.lab.signed_request(
            "POST", "/", self.dev_admin, "ssm", self.lab.now() - datetime.timedelta(minutes=10), b'{"Name": "/acme/plat-dev/vpc_id"}',
            {"X-Amz-Target": "AmazonSSM.GetParameter", "Content-Type": "application/x-amz-json-1.1"},
        )
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["__type"], "InvalidSignatureException")
        self.assertIn("Signature expired", json.loads(body)["message"])

    def test_ErrorsAreAwsJson(self):
        status, body = self.lab.call(
            "POST", "/", None, {"X-Amz-Target": "AmazonSSM.GetParameter", "Content-Type": "application/x-amz-json-1.1"}
        )
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body), {"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"})
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            self.lab.client("ssm", {**self.dev_admin, "SecretAccessKey": "w" * 40}).get_parameter(Name="x")
        self.assertEqual(raised.exception.response["ResponseMetadata"]["HTTPHeaders"]["content-type"], "application/x-amz-json-1.1")


class Faults(SsmCase):
    def tearDown(self):
        self.lab.call("DELETE", "/_lab/faults")

    def test_ThrottlingAndServerErrorsInTheAwsJsonShape(self):
        ssm = self.lab.client("ssm", self.dev_admin, config=NO_RETRIES)
        for kind, code, status in (("throttle", "ThrottlingException", 400), ("error", "InternalServerError", 500)):
            with self.subTest(kind=kind):
                self.lab.post("/_lab/faults", {"operation": "ssm:GetParameter", "kind": kind, "count": 1})
                with self.assertRaises(botocore.exceptions.ClientError) as raised:
                    ssm.get_parameter(Name="/acme/plat-dev/vpc_id")
                self.assertEqual(error_code(raised.exception), code)
                self.assertEqual(raised.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        self.assertEqual(ssm.get_parameter(Name="/acme/plat-dev/vpc_id")["Parameter"]["Value"], "vpc-0dev")


class AwsClis(SsmCase):
    def cli(self, cli: str, credentials: dict, *args: str) -> subprocess.CompletedProcess:
        env = self.lab.subprocess_env(
            HOME=os.devnull, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_REGION="us-east-1",
            AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID=credentials["AccessKeyId"], AWS_SECRET_ACCESS_KEY=credentials["SecretAccessKey"],
            AWS_SESSION_TOKEN=credentials["SessionToken"],
        )
        return subprocess.run([cli, "--endpoint-url", self.lab.endpoint, "--output", "json", "ssm", *args],
                              env=env, capture_output=True, text=True, timeout=60)

    def test_AllowedAndRefusedCalls(self):
        for cli in ("aws", "/usr/bin/aws"):
            with self.subTest(cli=cli):
                name = f"/acme/plat-dev/cli/{os.path.basename(cli)}-{'v2' if cli.startswith('/usr') else 'v1'}"
                put = self.cli(cli, self.dev_admin, "put-parameter", "--name", name, "--value", "from-cli", "--type", "String", "--overwrite")
                self.assertEqual(put.returncode, 0, put.stderr)
                got = self.cli(cli, self.dev_admin, "get-parameter", "--name", name)
                self.assertEqual(got.returncode, 0, got.stderr)
                self.assertEqual(json.loads(got.stdout)["Parameter"]["Value"], "from-cli")
                foreign = self.cli(cli, self.network_admin, "get-parameter", "--name", f"arn:aws:ssm:us-east-1:{DEV}:parameter{name}")
                self.assertNotEqual(foreign.returncode, 0)
                self.assertIn("An error occurred (AccessDeniedException) when calling the GetParameter operation", foreign.stderr)
                state = self.cli(cli, self.lab.role_credentials("core-network", "TerraformStateAccess", "bob"),
                                 "put-parameter", "--name", "/acme/x", "--value", "v", "--type", "String")
                self.assertNotEqual(state.returncode, 0)
                self.assertIn("An error occurred (AccessDeniedException) when calling the PutParameter operation", state.stderr)


if __name__ == "__main__":
    unittest.main()
