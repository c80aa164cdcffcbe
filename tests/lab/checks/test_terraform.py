"""Acceptance 4 through real Terraform: an s3 backend in the lab with SSO role credentials from a
credentials file. A permission set that only reads the bucket fails on the state write (AccessDenied),
one that allows it applies and the state lands in the bucket. A state seeded by the lab is one Terraform
reads: `terraform output` in its workspace as the account's TerraformStateAccess, refused from another account."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

from labcase import lab

BUCKET = "acme-plat-staging-tfstate"
CONFIGURATION = """
terraform {
  backend "s3" {
    bucket                  = "%(bucket)s"
    key                     = "%(key)s"
    region                  = "us-east-1"
    use_path_style          = true
    skip_region_validation  = true
    skip_metadata_api_check = true
  }
}

resource "terraform_data" "marker" {
  input = "made in the lab"
}

output "marker" {
  value = terraform_data.marker.output
}
"""

# The s3 backend of `tgw` in examples/acme's core-use2-network, read-only.
SEEDED_READER = """
terraform {
  backend "s3" {
    bucket                  = "acme-core-network-tfstate"
    key                     = "terraform.tfstate"
    workspace_key_prefix    = "tgw"
    region                  = "us-east-2"
    use_path_style          = true
    use_lockfile            = true
    skip_region_validation  = true
    skip_metadata_api_check = true
  }
}
"""


class TerraformS3Backend(unittest.TestCase):
    def setUp(self):
        self.terraform = shutil.which("terraform")
        if self.terraform is None:
            self.fail("terraform is not on PATH")
        self.lab = lab()
        self.directory = tempfile.mkdtemp(prefix="lab-terraform-")
        self.addCleanup(shutil.rmtree, self.directory)

    def workspace(self, user: str, permission_set: str, key: str, account: str = "plat-staging", configuration: str = "") -> dict:
        """Writes the configuration and a credentials file for `user`'s role in `account`; returns the environment."""
        role = self.lab.role_credentials(account, permission_set, user)
        credentials = os.path.join(self.directory, "credentials")
        with open(os.open(credentials, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
            handle.write(
                f"[lab]\naws_access_key_id = {role['AccessKeyId']}\naws_secret_access_key = {role['SecretAccessKey']}\n"
                f"aws_session_token = {role['SessionToken']}\n"
            )
        cli_config = os.path.join(self.directory, "terraformrc")
        open(cli_config, "w").close()
        with open(os.path.join(self.directory, "main.tf"), "w") as handle:
            handle.write(configuration or CONFIGURATION % {"bucket": BUCKET, "key": key})
        return self.lab.subprocess_env(
            HOME=self.directory,
            AWS_SHARED_CREDENTIALS_FILE=credentials,
            AWS_CONFIG_FILE=os.devnull,
            AWS_PROFILE="lab",
            AWS_REGION="us-east-1",
            TF_CLI_CONFIG_FILE=cli_config,
            TF_IN_AUTOMATION="1",
            TF_INPUT="0",
        )

    def terraform_run(self, env: dict, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [self.terraform, *args, "-input=false", "-no-color"], cwd=self.directory, env=env, capture_output=True, text=True, timeout=120
        )

    def test_ReadOnlyPermissionSetCannotWriteState(self):
        env = self.workspace("bob", "TerraformPlanAccess", "readonly/terraform.tfstate")
        init = self.terraform_run(env, "init")
        self.assertEqual(init.returncode, 0, init.stderr)
        apply = self.terraform_run(env, "apply", "-auto-approve")
        self.assertNotEqual(apply.returncode, 0)
        self.assertIn("AccessDenied", apply.stderr)
        self.assertIn("Failed to persist state to backend", apply.stderr)
        s3 = self.lab.client("s3", self.lab.role_credentials("plat-staging", "TerraformApplyAccess"))
        self.assertEqual(s3.list_objects_v2(Bucket=BUCKET, Prefix="readonly/")["KeyCount"], 0)

    def test_ApplyPermissionSetWritesState(self):
        env = self.workspace("alice", "TerraformApplyAccess", "readwrite/terraform.tfstate")
        init = self.terraform_run(env, "init")
        self.assertEqual(init.returncode, 0, init.stderr)
        apply = self.terraform_run(env, "apply", "-auto-approve")
        self.assertEqual(apply.returncode, 0, apply.stderr)
        self.assertIn('marker = "made in the lab"', apply.stdout)
        s3 = self.lab.client("s3", self.lab.role_credentials("plat-staging", "TerraformApplyAccess"))
        state = s3.get_object(Bucket=BUCKET, Key="readwrite/terraform.tfstate")["Body"].read().decode()
        self.assertIn("terraform_data", state)

    def test_SeededStateIsReadByTerraformAsTheStateIdentity(self):
        self.lab.post("/_lab/terraform-state", {
            "bucket": "acme-core-network-tfstate", "workspace_key_prefix": "tgw", "workspace": "core-use2-network",
            "outputs": {"transit_gateway_id": "tgw-0a1b2c3d4e5f", "amazon_side_asn": 64512},
        })
        env = self.workspace("bob", "TerraformStateAccess", "", "core-network", SEEDED_READER)
        env["TF_WORKSPACE"] = "core-use2-network"
        init = self.terraform_run(env, "init")
        self.assertEqual(init.returncode, 0, init.stderr)
        output = subprocess.run([self.terraform, "output", "-json", "-no-color"], cwd=self.directory, env=env,
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(output.returncode, 0, output.stderr)
        self.assertEqual(json.loads(output.stdout), {
            "amazon_side_asn": {"sensitive": False, "type": "number", "value": 64512},
            "transit_gateway_id": {"sensitive": False, "type": "string", "value": "tgw-0a1b2c3d4e5f"},
        })
        shutil.rmtree(os.path.join(self.directory, ".terraform"))
        env = self.workspace("alice", "TerraformApplyAccess", "", "plat-dev", SEEDED_READER)
        env["TF_WORKSPACE"] = "core-use2-network"
        init = self.terraform_run(env, "init")
        self.assertNotEqual(init.returncode, 0)
        self.assertIn("AccessDenied", init.stderr)

    def test_WrongCredentialsFailInit(self):
        env = self.workspace("alice", "TerraformApplyAccess", "wrong/terraform.tfstate")
        with open(env["AWS_SHARED_CREDENTIALS_FILE"]) as handle:
            text = handle.read()
        secret_line = next(line for line in text.splitlines() if line.startswith("aws_secret_access_key"))
        with open(env["AWS_SHARED_CREDENTIALS_FILE"], "w") as handle:
            handle.write(text.replace(secret_line, "aws_secret_access_key = " + "w" * 40))
        init = self.terraform_run(env, "init")
        self.assertNotEqual(init.returncode, 0)


if __name__ == "__main__":
    unittest.main()
