"""Cross-account state reads, as AWS decides them: a principal reads another account's bucket only when its own
policy and the bucket policy both allow it (moto alone serves every bucket to everyone); TerraformStateAccess
reads the state bucket of its own account and nothing else. Also the lab's seeding of Terraform state objects and
its per-object S3 counters, which the cross-account tests of atmos build on, and the AWS Organization every
account belongs to."""

import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import botocore.exceptions

from labcase import error_code, lab

HERE = os.path.dirname(os.path.abspath(__file__))
LABCTL = os.path.join(os.path.dirname(HERE), "labctl.py")
NETWORK_BUCKET = "acme-core-network-tfstate"
TGW_KEY = "tgw/core-use2-network/terraform.tfstate"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


class CrossAccountCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lab = lab()
        cls.lab.post("/_lab/terraform-state", {
            "bucket": NETWORK_BUCKET, "workspace_key_prefix": "tgw", "workspace": "core-use2-network",
            "outputs": {"transit_gateway_id": "tgw-0a1b2c3d4e5f"},
        })
        cls.state_reader = cls.lab.role_credentials("core-network", "TerraformStateAccess", "bob")
        cls.dev_admin = cls.lab.role_credentials("plat-dev", "TerraformApplyAccess", "alice")

    def assertDenied(self, call, code: str = "AccessDenied"):
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            call()
        self.assertEqual(error_code(raised.exception), code)
        self.assertEqual(raised.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)


class StateAccessPermissionSet(CrossAccountCase):
    def test_ReadsAndListsTheStateBucketOfItsAccount(self):
        s3 = self.lab.client("s3", self.state_reader)
        state = json.loads(s3.get_object(Bucket=NETWORK_BUCKET, Key=TGW_KEY)["Body"].read())
        self.assertEqual(state["outputs"]["transit_gateway_id"], {"value": "tgw-0a1b2c3d4e5f", "type": "string"})
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=NETWORK_BUCKET)["Contents"]]
        self.assertIn(TGW_KEY, keys)

    def test_CannotWriteOrDeleteState(self):
        s3 = self.lab.client("s3", self.state_reader)
        self.assertDenied(lambda: s3.put_object(Bucket=NETWORK_BUCKET, Key=TGW_KEY, Body=b"{}"))
        self.assertDenied(lambda: s3.put_object(Bucket=NETWORK_BUCKET, Key=TGW_KEY + ".tflock", Body=b"{}"))
        self.assertDenied(lambda: s3.delete_object(Bucket=NETWORK_BUCKET, Key=TGW_KEY))

    def test_CannotReadAnotherAccountsStateBucket(self):
        s3 = self.lab.client("s3", self.state_reader)
        self.lab.client("s3", self.dev_admin).put_object(Bucket="acme-plat-dev-tfstate", Key="vpc/plat-use2-dev/terraform.tfstate", Body=b"{}")
        self.assertDenied(lambda: s3.get_object(Bucket="acme-plat-dev-tfstate", Key="vpc/plat-use2-dev/terraform.tfstate"))
        self.assertDenied(lambda: s3.list_objects_v2(Bucket="acme-plat-dev-tfstate"))


class CrossAccountReads(CrossAccountCase):
    def test_AnotherAccountsAdministratorIsRefusedWithoutABucketPolicy(self):
        s3 = self.lab.client("s3", self.dev_admin)
        self.assertDenied(lambda: s3.get_object(Bucket=NETWORK_BUCKET, Key=TGW_KEY))
        self.assertDenied(lambda: s3.head_object(Bucket=NETWORK_BUCKET, Key=TGW_KEY), "403")
        self.assertDenied(lambda: s3.list_objects_v2(Bucket=NETWORK_BUCKET))
        self.assertDenied(lambda: s3.put_object(Bucket=NETWORK_BUCKET, Key="intruder", Body=b"x"))

    def test_RefusalHasS3sXmlErrorShape(self):
        status, body = self.lab.signed_request(
            "GET", f"/{NETWORK_BUCKET}/{TGW_KEY}", self.dev_admin, "s3", self.lab.now(), headers={"X-Amz-Content-SHA256": EMPTY_SHA256}
        )
        self.assertEqual(status, 403)
        self.assertIn("<Error><Code>AccessDenied</Code><Message>Access Denied</Message>", body)
        self.assertNotIn("tgw-0a1b2c3d4e5f", body)

    def test_BucketPolicyGrantsAnotherAccountOnlyWhatItNames(self):
        bucket, key = "acme-core-audit-tfstate", "trail/core-use2-audit/terraform.tfstate"
        owner = self.lab.client("s3", self.lab.role_credentials("core-audit", "TerraformApplyAccess", "alice"))
        owner.put_object(Bucket=bucket, Key=key, Body=b'{"version": 4}')
        reader = self.lab.client("s3", self.dev_admin)
        self.assertDenied(lambda: reader.get_object(Bucket=bucket, Key=key))
        grant = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{self.lab.account_id('plat-dev')}:root"},
            "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        }]}
        owner.put_bucket_policy(Bucket=bucket, Policy=json.dumps(grant))
        self.addCleanup(owner.delete_bucket_policy, Bucket=bucket)
        self.assertEqual(reader.get_object(Bucket=bucket, Key=key)["Body"].read(), b'{"version": 4}')
        self.assertEqual(reader.list_objects_v2(Bucket=bucket)["KeyCount"], 1)
        self.assertDenied(lambda: reader.put_object(Bucket=bucket, Key=key, Body=b"{}"))
        # The grant does not cover a principal whose own policy lacks the action (both must allow).
        staging_planner = self.lab.client("s3", self.lab.role_credentials("plat-staging", "TerraformPlanAccess", "bob"))
        other_grant = json.loads(json.dumps(grant).replace(self.lab.account_id("plat-dev"), self.lab.account_id("plat-staging")))
        other_grant["Statement"][0]["Action"] = ["s3:GetObject", "s3:PutObject"]
        owner.put_bucket_policy(Bucket=bucket, Policy=json.dumps(other_grant))
        self.assertDenied(lambda: reader.get_object(Bucket=bucket, Key=key))
        self.assertEqual(staging_planner.get_object(Bucket=bucket, Key=key)["Body"].read(), b'{"version": 4}')
        self.assertDenied(lambda: staging_planner.put_object(Bucket=bucket, Key=key, Body=b"{}"))

    def test_MissingObjectIsAccessDeniedWithoutListBucket(self):
        bucket, key = "acme-plat-prod-tfstate", "vpc/plat-use2-prod/terraform.tfstate"
        owner = self.lab.client("s3", self.lab.role_credentials("plat-prod", "TerraformApplyAccess", "alice"))
        owner.put_object(Bucket=bucket, Key=key, Body=b"{}")
        grant = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{self.lab.account_id('plat-dev')}:root"},
            "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*",
        }]}
        owner.put_bucket_policy(Bucket=bucket, Policy=json.dumps(grant))
        self.addCleanup(owner.delete_bucket_policy, Bucket=bucket)
        reader = self.lab.client("s3", self.dev_admin)
        self.assertEqual(reader.get_object(Bucket=bucket, Key=key)["Body"].read(), b"{}")
        self.assertDenied(lambda: reader.get_object(Bucket=bucket, Key="never/applied/terraform.tfstate"))
        self.assertDenied(lambda: reader.head_object(Bucket=bucket, Key="never/applied/terraform.tfstate"), "403")
        grant["Statement"].append({**grant["Statement"][0], "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"})
        owner.put_bucket_policy(Bucket=bucket, Policy=json.dumps(grant))
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            reader.get_object(Bucket=bucket, Key="never/applied/terraform.tfstate")
        self.assertEqual(error_code(raised.exception), "NoSuchKey")

    def test_BucketPolicyDenyAppliesInTheOwnersAccount(self):
        bucket, key = "acme-core-auto-tfstate", "locked/terraform.tfstate"
        owner = self.lab.client("s3", self.lab.role_credentials("core-auto", "TerraformApplyAccess", "alice"))
        owner.put_object(Bucket=bucket, Key=key, Body=b"{}")
        deny = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/locked/*",
        }]}
        owner.put_bucket_policy(Bucket=bucket, Policy=json.dumps(deny))
        self.addCleanup(owner.delete_bucket_policy, Bucket=bucket)
        self.assertDenied(lambda: owner.get_object(Bucket=bucket, Key=key))
        self.assertEqual(owner.list_objects_v2(Bucket=bucket, Prefix="locked/")["KeyCount"], 1)

    def test_AwsCliIsRefusedToo(self):
        env = self.lab.subprocess_env(
            HOME=os.devnull, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_REGION="us-east-1",
            AWS_ACCESS_KEY_ID=self.dev_admin["AccessKeyId"], AWS_SECRET_ACCESS_KEY=self.dev_admin["SecretAccessKey"],
            AWS_SESSION_TOKEN=self.dev_admin["SessionToken"],
        )
        directory = tempfile.mkdtemp(prefix="lab-cli-")
        self.addCleanup(shutil.rmtree, directory)
        target = os.path.join(directory, "terraform.tfstate")
        for cli in ("aws", "/usr/bin/aws"):
            with self.subTest(cli=cli):
                result = subprocess.run(
                    [cli, "--endpoint-url", self.lab.endpoint, "s3api", "get-object", "--bucket", NETWORK_BUCKET, "--key", TGW_KEY, target],
                    env=env, capture_output=True, text=True, timeout=60,
                )
                self.assertNotEqual(result.returncode, 0)
                self.assertIn("An error occurred (AccessDenied) when calling the GetObject operation: Access Denied", result.stderr)
                self.assertFalse(os.path.exists(target))


class SeedingAndCounting(CrossAccountCase):
    def setUp(self):
        self.lab.post("/_lab/counters/reset", {})

    def test_SeededStateHasTerraformsShape(self):
        written = self.lab.post("/_lab/terraform-state", {"states": [
            {"bucket": "acme-plat-sandbox-tfstate", "key": "plain/terraform.tfstate",
             "outputs": {"n": 3, "ok": True, "ids": ["a", 1], "tags": {"team": "net"}, "secret": "s"}, "sensitive": ["secret"]},
            {"bucket": "acme-plat-sandbox-tfstate", "workspace": "plat-use2-sandbox", "outputs": {}},
        ]})
        self.assertEqual(written["objects"], [
            {"bucket": "acme-plat-sandbox-tfstate", "key": "plain/terraform.tfstate"},
            {"bucket": "acme-plat-sandbox-tfstate", "key": "env:/plat-use2-sandbox/terraform.tfstate"},
        ])
        s3 = self.lab.client("s3", self.lab.role_credentials("plat-sandbox", "TerraformApplyAccess", "alice"))
        state = json.loads(s3.get_object(Bucket="acme-plat-sandbox-tfstate", Key="plain/terraform.tfstate")["Body"].read())
        self.assertEqual(state["version"], 4)
        self.assertEqual(state["resources"], [])
        self.assertEqual(state["outputs"], {
            "n": {"value": 3, "type": "number"},
            "ok": {"value": True, "type": "bool"},
            "ids": {"value": ["a", 1], "type": ["tuple", ["string", "number"]]},
            "tags": {"value": {"team": "net"}, "type": ["object", {"team": "string"}]},
            "secret": {"value": "s", "type": "string", "sensitive": True},
        })
        s3.head_object(Bucket="acme-plat-sandbox-tfstate", Key="env:/plat-use2-sandbox/terraform.tfstate")
        self.assertNotIn("s3:PutObject", self.lab.counts(), "seeding is not an S3 request")

    def test_BadSeedsAreRefusedAndNothingIsWritten(self):
        cases = [
            ({"bucket": "acme-nowhere-tfstate", "key": "k"}, "no bucket 'acme-nowhere-tfstate' in the lab"),
            ({"key": "k"}, "state: missing `bucket`"),
            ({"bucket": NETWORK_BUCKET, "outputs": {"gone": None}}, "outputs.gone: Terraform stores no null outputs"),
            ({"bucket": NETWORK_BUCKET, "outputs": {}, "sensitive": ["x"]}, "`sensitive` names outputs that are not set: x"),
            ({"states": [{"bucket": NETWORK_BUCKET, "key": "first-of-two"}, {"bucket": "acme-nowhere-tfstate"}]}, "no bucket"),
        ]
        for body, message in cases:
            with self.subTest(body=body):
                status, reply = self.lab.call("POST", "/_lab/terraform-state", body)
                self.assertEqual(status, 400)
                self.assertIn(message, reply["message"])
        s3 = self.lab.client("s3", self.lab.role_credentials("core-network", "TerraformApplyAccess", "alice"))
        self.assertEqual(s3.list_objects_v2(Bucket=NETWORK_BUCKET, Prefix="first-of-two")["KeyCount"], 0)

    def test_LabctlSeedsFromAFile(self):
        seeds = os.path.join(self.lab.process.state_dir, "seeds.json")
        with open(seeds, "w", encoding="utf-8") as handle:
            json.dump({"states": [{"bucket": NETWORK_BUCKET, "workspace_key_prefix": "dns", "workspace": "core-use2-network",
                                   "outputs": {"zone_id": "Z123"}}]}, handle)
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        result = subprocess.run([sys.executable, LABCTL, "seed", "--state-dir", self.lab.process.state_dir, seeds],
                                env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, f"s3://{NETWORK_BUCKET}/dns/core-use2-network/terraform.tfstate\n")
        result = subprocess.run([sys.executable, LABCTL, "seed", "--state-dir", self.lab.process.state_dir, "-"],
                                input='{"bucket": "acme-nowhere-tfstate"}', env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stderr, "labctl: -: no bucket 'acme-nowhere-tfstate' in the lab (scenario `s3.buckets`)\n")

    def test_GetObjectRequestsAreCountedPerObjectStatusAndCaller(self):
        reader = self.lab.client("s3", self.state_reader)
        for _ in range(3):
            reader.get_object(Bucket=NETWORK_BUCKET, Key=TGW_KEY)
        reader.head_object(Bucket=NETWORK_BUCKET, Key=TGW_KEY)
        self.assertDenied(lambda: self.lab.client("s3", self.dev_admin).get_object(Bucket=NETWORK_BUCKET, Key=TGW_KEY))
        with self.assertRaises(botocore.exceptions.ClientError):
            reader.get_object(Bucket=NETWORK_BUCKET, Key="never/applied/terraform.tfstate")
        counters = self.lab.get("/_lab/counters")
        self.assertEqual(counters["counts"]["s3:GetObject"], 5)
        self.assertEqual(counters["objects"]["s3:GetObject"], {
            f"{NETWORK_BUCKET}/{TGW_KEY}": {"200": 3, "403": 1},
            f"{NETWORK_BUCKET}/never/applied/terraform.tfstate": {"404": 1},
        })
        self.assertEqual(counters["objects"]["s3:HeadObject"], {f"{NETWORK_BUCKET}/{TGW_KEY}": {"200": 1}})
        self.assertGreater(counters["seconds"]["s3:GetObject"], 0)
        self.assertNotIn("s3:ListObjectsV2", counters["objects"], "bucket requests are not object requests")
        reader_arn = self.lab.client("sts", self.state_reader).get_caller_identity()["Arn"]
        admin_arn = self.lab.client("sts", self.dev_admin).get_caller_identity()["Arn"]
        self.assertRegex(reader_arn, r"^arn:aws:sts::999999999999:assumed-role/AWSReservedSSO_TerraformStateAccess_[0-9a-f]+/bob$")
        self.assertEqual(counters["callers"]["s3:GetObject"], {
            f"{NETWORK_BUCKET}/{TGW_KEY}": {reader_arn: 3, admin_arn: 1},
            f"{NETWORK_BUCKET}/never/applied/terraform.tfstate": {reader_arn: 1},
        })
        reset = self.lab.post("/_lab/counters/reset", {})
        self.assertEqual(reset, {"counts": {}, "seconds": {}, "busy_seconds": {}, "objects": {}, "callers": {}})

    def test_BusySecondsCountConcurrentRequestsOnce(self):
        reader = self.lab.client("s3", self.state_reader)
        self.lab.post("/_lab/faults", {"operation": "s3:GetObject", "kind": "delay", "count": 4, "delay_seconds": 0.5})
        self.addCleanup(self.lab.call, "DELETE", "/_lab/faults")
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: reader.get_object(Bucket=NETWORK_BUCKET, Key=TGW_KEY)["Body"].read(), range(4)))
        counters = self.lab.get("/_lab/counters")
        self.assertEqual(counters["counts"]["s3:GetObject"], 4)
        self.assertGreaterEqual(counters["seconds"]["s3:GetObject"], 2.0)
        self.assertGreaterEqual(counters["busy_seconds"]["s3:GetObject"], 0.5)
        self.assertLess(counters["busy_seconds"]["s3:GetObject"], 1.5)

    def test_PercentEscapedKeysAreCountedDecoded(self):
        s3 = self.lab.client("s3", self.lab.role_credentials("core-network", "TerraformApplyAccess", "alice"))
        s3.put_object(Bucket=NETWORK_BUCKET, Key="env:/with space/terraform.tfstate", Body=b"{}")
        s3.get_object(Bucket=NETWORK_BUCKET, Key="env:/with space/terraform.tfstate")
        objects = self.lab.get("/_lab/counters")["objects"]
        self.assertEqual(objects["s3:GetObject"], {f"{NETWORK_BUCKET}/env:/with space/terraform.tfstate": {"200": 1}})
        self.assertEqual(objects["s3:PutObject"], {f"{NETWORK_BUCKET}/env:/with space/terraform.tfstate": {"200": 1}})


class Organization(CrossAccountCase):
    def test_EveryAccountSeesTheOrganization(self):
        expected = self.lab.state["organization"]["id"]
        self.assertRegex(expected, r"^o-[a-z0-9]{10}$")
        for account, permission_set, user in (("core-root", "TerraformApplyAccess", "alice"), ("plat-staging", "TerraformPlanAccess", "bob")):
            with self.subTest(account=account):
                organizations = self.lab.client("organizations", self.lab.role_credentials(account, permission_set, user))
                described = organizations.describe_organization()["Organization"]
                self.assertEqual(described["Id"], expected)
                self.assertEqual((described["MasterAccountId"], described["MasterAccountEmail"]), ("111111111111", "aws+core-root@acme.example"))

    def test_MembersAreTheScenarioAccounts(self):
        organizations = self.lab.client("organizations", self.lab.role_credentials("core-root", "TerraformApplyAccess", "alice"))
        listed = {(a["Id"], a["Name"], a["Email"]) for a in organizations.list_accounts()["Accounts"]}
        self.assertEqual(listed, {(a["id"], a["name"], a["email"]) for a in self.lab.state["accounts"]})

    def test_StateAccessCannotDescribeIt(self):
        organizations = self.lab.client("organizations", self.state_reader)
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            organizations.describe_organization()
        self.assertEqual(error_code(raised.exception), "AccessDeniedException")
        self.assertIn("organizations:DescribeOrganization", raised.exception.response["Error"]["Message"])


if __name__ == "__main__":
    unittest.main()
