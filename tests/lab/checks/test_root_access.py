"""Centralized root access and credential lifetimes: the lab's STS AssumeRoot (moto lacks it) checks the
signature, the caller's account and policy, the task policy and the target's membership; credentials past
their expiration are refused by every service (STS, S3, IAM), role credentials living as long as the
`role_credentials` lifetime says."""

import unittest

import botocore.exceptions

from labcase import NO_RETRIES, error_code, lab

TASKS = ("IAMAuditRootUserCredentials", "IAMCreateRootUserPassword", "IAMDeleteRootUserCredentials",
         "S3UnlockBucketPolicy", "SQSUnlockQueuePolicy")
PREFIX = "arn:aws:iam::aws:policy/root-task/"


class AssumeRoot(unittest.TestCase):
    def setUp(self):
        self.lab = lab()
        self.admin = self.lab.role_credentials("core-identity", "RootAccess", "carol")

    def assume_root(self, credentials: dict, target: str = "222222222222", task: str = TASKS[0], **extra):
        sts = self.lab.client("sts", credentials, config=NO_RETRIES)
        return sts.assume_root(TargetPrincipal=target, TaskPolicyArn={"arn": PREFIX + task}, **extra)["Credentials"]

    def assertRejected(self, call, code: str, text: str = ""):
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            call()
        self.assertEqual(error_code(raised.exception), code)
        self.assertIn(text, str(raised.exception))

    def test_EachTaskPolicyGivesRootOfTheMemberAccount(self):
        for task in TASKS:
            with self.subTest(task=task):
                root = self.assume_root(self.admin, task=task)
                self.assertLessEqual((root["Expiration"] - self.lab.now()).total_seconds(), 900)
                sts = self.lab.client("sts", {"AccessKeyId": root["AccessKeyId"], "SecretAccessKey": root["SecretAccessKey"],
                                              "SessionToken": root["SessionToken"]})
                self.assertEqual(sts.get_caller_identity()["Arn"], "arn:aws:iam::222222222222:root")

    def test_TaskPolicyScopesTheSession(self):
        root = self.assume_root(self.admin, task="S3UnlockBucketPolicy")
        keys = {"AccessKeyId": root["AccessKeyId"], "SecretAccessKey": root["SecretAccessKey"], "SessionToken": root["SessionToken"]}
        s3 = self.lab.client("s3", keys, config=NO_RETRIES)
        self.assertRejected(lambda: s3.list_objects_v2(Bucket="acme-plat-dev-tfstate"), "AccessDenied")

    def test_WrongTaskPolicyTargetOrCallerIsRefused(self):
        self.assertRejected(lambda: self.assume_root(self.admin, task="AdministratorAccess"), "ValidationError", "not a supported root task policy")
        sts = self.lab.client("sts", self.admin, config=NO_RETRIES)
        self.assertRejected(lambda: sts.assume_root(TargetPrincipal="222222222222", TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
                            "ValidationError")
        self.assertRejected(lambda: self.assume_root(self.admin, target="123456789012"), "AccessDenied", "not a member account")
        self.assertRejected(lambda: self.assume_root(self.admin, target="111111111111"), "AccessDenied", "not a member account")
        self.assertRejected(lambda: self.assume_root(self.admin, DurationSeconds=901), "ValidationError")
        member = self.lab.role_credentials("plat-dev", "RootAccess", "carol")
        self.assertRejected(lambda: self.assume_root(member), "AccessDenied", "delegated administrator")
        planner = self.lab.role_credentials("core-identity", "TerraformStateAccess", "bob")
        self.assertRejected(lambda: self.assume_root(planner), "AccessDenied")
        forged = dict(self.admin, SecretAccessKey="x" + self.admin["SecretAccessKey"][1:])
        self.assertRejected(lambda: self.assume_root(forged), "SignatureDoesNotMatch")


class ExpiredCredentials(unittest.TestCase):
    def setUp(self):
        self.lab = lab()
        self.lab.post("/_lab/lifetimes", {"role_credentials": 60})
        self.addCleanup(self.lab.post, "/_lab/lifetimes", {"role_credentials": 0})
        self.addCleanup(self.lab.reset_clock)

    def test_RoleCredentialsLiveAsConfiguredAndAreRefusedEverywhereAfterwards(self):
        keys = self.lab.role_credentials("plat-dev", "TerraformApplyAccess", "alice")
        clients = {name: self.lab.client(name, keys, config=NO_RETRIES) for name in ("sts", "s3", "iam")}
        calls = {
            "sts": lambda: clients["sts"].get_caller_identity(),
            "s3": lambda: clients["s3"].list_objects_v2(Bucket="acme-plat-dev-tfstate"),
            "iam": lambda: clients["iam"].list_roles(),
        }
        for name, call in calls.items():
            call()
        self.lab.shift_clock(61)
        for name, call in calls.items():
            with self.subTest(service=name):
                with self.assertRaises(botocore.exceptions.ClientError) as raised:
                    call()
                self.assertEqual(error_code(raised.exception), "ExpiredToken")


if __name__ == "__main__":
    unittest.main()
