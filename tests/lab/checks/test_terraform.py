"""Acceptance 4 through real Terraform: an s3 backend in the lab with SSO role credentials from a
credentials file. A permission set that only reads the bucket fails on the state write (AccessDenied),
one that allows it applies and the state lands in the bucket."""

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


class TerraformS3Backend(unittest.TestCase):
    def setUp(self):
        self.terraform = shutil.which("terraform")
        if self.terraform is None:
            self.fail("terraform is not on PATH")
        self.lab = lab()
        self.directory = tempfile.mkdtemp(prefix="lab-terraform-")
        self.addCleanup(shutil.rmtree, self.directory)

    def workspace(self, user: str, permission_set: str, key: str) -> dict:
        """Writes the configuration and a credentials file for `user`'s role; returns the environment."""
        role = self.lab.role_credentials("plat-staging", permission_set, user)
        credentials = os.path.join(self.directory, "credentials")
        with open(os.open(credentials, os.O_WRONLY | os.O_CREAT, 0o600), "w") as handle:
            handle.write(
                f"[plat-staging]\naws_access_key_id = {role['AccessKeyId']}\naws_secret_access_key = {role['SecretAccessKey']}\n"
                f"aws_session_token = {role['SessionToken']}\n"
            )
        cli_config = os.path.join(self.directory, "terraformrc")
        open(cli_config, "w").close()
        with open(os.path.join(self.directory, "main.tf"), "w") as handle:
            handle.write(CONFIGURATION % {"bucket": BUCKET, "key": key})
        return self.lab.subprocess_env(
            HOME=self.directory,
            AWS_SHARED_CREDENTIALS_FILE=credentials,
            AWS_CONFIG_FILE=os.devnull,
            AWS_PROFILE="plat-staging",
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
