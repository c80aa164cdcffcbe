"""What the credentials-endpoint e2e modules share: the lab, a repository with one SSO identity, atmos runs."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from acme_lab import lab_endpoint, lab_request  # noqa: E402

ENDPOINT = lab_endpoint()


def lab(method: str, path: str, body: dict | None = None):
    return lab_request(path, body, method)


ATMOS_YAML = """
base_path: "./"
components:
  terraform:
    base_path: components/terraform
    apply_auto_approve: true
    auto_generate_backend_file: true
    init_run_reconfigure: true
stacks:
  base_path: stacks
  included_paths: ["*.yaml"]
  name_template: "{{ .vars.stage }}"
auth:
  providers:
    acme-sso:
      kind: aws/iam-identity-center
      region: us-east-1
      start_url: https://acme.awsapps.com/start
  identities:
    plat-dev/terraform:
      kind: aws/permission-set
      default: true
      via: {provider: acme-sso}
      principal: {name: TerraformApplyAccess, account: {name: plat-dev}}
%(extra)s
"""

SLEEPER_TF = """
variable "stage" { type = string }
variable "seconds" { type = number }
resource "terraform_data" "sleep" {
  input = var.seconds
  provisioner "local-exec" {
    command = "sleep ${var.seconds}"
  }
}
"""

STACK = """
vars:
  stage: dev
terraform:
  backend_type: s3
  backend:
    s3:
      bucket: acme-plat-dev-tfstate
      key: terraform.tfstate
      workspace_key_prefix: %(prefix)s
      region: us-east-1
      use_lockfile: true
      use_path_style: true
      skip_metadata_api_check: true
components:
  terraform:
    sleeper:
      vars:
        seconds: %(seconds)d
"""


class Home:
    """One person: a home directory, a copy of the repository and the environment atmos runs with."""

    def __init__(self, root: str, name: str, extra_config: str = "", seconds: int = 0) -> None:
        self.dir = os.path.join(root, name)
        self.repo = os.path.join(self.dir, "repo")
        os.makedirs(os.path.join(self.repo, "components", "terraform", "sleeper"))
        os.makedirs(os.path.join(self.repo, "stacks"))
        os.makedirs(os.path.join(self.dir, "home"))
        self.write("atmos.yaml", ATMOS_YAML % {"extra": extra_config})
        self.write("components/terraform/sleeper/main.tf", SLEEPER_TF)
        self.write("stacks/dev.yaml", STACK % {"prefix": name, "seconds": seconds})
        browser = os.path.join(self.dir, "browser.sh")
        with open(browser, "w", encoding="utf-8") as handle:
            handle.write('#!/bin/sh\ncurl -s -o /dev/null --noproxy "*" "$1"\n')
        os.chmod(browser, 0o755)
        rc = os.path.join(self.dir, "terraformrc")
        open(rc, "w").close()
        self.env = {
            "PATH": os.environ["PATH"], "HOME": os.path.join(self.dir, "home"), "BROWSER": browser,
            "HTTPS_PROXY": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost", "AWS_EC2_METADATA_DISABLED": "true",
            "ATMOS_KEYRING_TYPE": "memory", "ATMOS_LOGS_LEVEL": "Trace", "ATMOS_GIT_ROOT_BASEPATH": "false",
            "TF_CLI_CONFIG_FILE": rc, "CHECKPOINT_DISABLE": "1", "AWS_ENDPOINT_URL": ENDPOINT,
        }
        for service in ("STS", "SSO", "SSO_OIDC", "S3", "IAM"):
            self.env["AWS_ENDPOINT_URL_" + service] = ENDPOINT

    def write(self, relative: str, text: str) -> None:
        with open(os.path.join(self.repo, relative), "w", encoding="utf-8") as handle:
            handle.write(text)

    def run(self, binary: str, *args: str, timeout: int = 300, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run([binary, *args], cwd=self.repo, env={**self.env, **env}, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

