"""Shared set-up for the lab's own checks.

Each test module talks to one lab: the one a CTest fixture started (named by ATMOS_LAB_STATE_DIR), or else a
fresh one it starts itself and stops when the interpreter exits. Importing this module installs the safety
net: HTTPS through a dead proxy, no instance metadata, no ambient AWS profile or credentials, so nothing can
reach real AWS. Secrets must never reach test output: compare them with assertTrue(a == b), never assertEqual."""

import atexit
import datetime
import json
import os
import sys
import tempfile
import urllib.error
import urllib.request

import boto3
import botocore.exceptions
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from labctl import LabProcess  # noqa: E402

for _name in [n for n in os.environ if n.startswith("AWS_")]:
    del os.environ[_name]
os.environ.update(
    {
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
)

NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
START_URL = "https://acme.awsapps.com/start"


def error_code(error: botocore.exceptions.ClientError) -> str:
    return error.response["Error"]["Code"]


class LabClient:
    def __init__(self, process: LabProcess) -> None:
        self.process = process
        self.endpoint = process.endpoint
        self._state: dict | None = None

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        """(status, parsed JSON or text) of a request to the lab."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.endpoint + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, payload, kind = response.status, response.read(), response.headers.get_content_type()
        except urllib.error.HTTPError as error:
            status, payload, kind = error.code, error.read(), error.headers.get_content_type()
        return status, json.loads(payload) if kind == "application/json" and payload else payload.decode()

    def get(self, path: str):
        status, body = self.call("GET", path)
        if status != 200:
            raise AssertionError(f"GET {path.partition('?')[0]} → {status}")
        return body

    def post(self, path: str, body: dict):
        status, reply = self.call("POST", path, body)
        if status != 200:
            raise AssertionError(f"POST {path} → {status}: {reply}")
        return reply

    @property
    def state(self) -> dict:
        if self._state is None:
            self._state = self.get("/_lab/state")
        return self._state

    def iam_user(self, name: str) -> dict:
        return next(u for u in self.state["iam_users"] if u["name"] == name)

    def account_id(self, name: str) -> str:
        return next(a["id"] for a in self.state["accounts"] if a["name"] == name)

    def role_name(self, permission_set: str) -> str:
        return self.state["sso"]["permission_sets"][permission_set]["role_name"]

    def counts(self) -> dict[str, int]:
        return self.get("/_lab/counters")["counts"]

    def secrets(self) -> list[str]:
        return [entry["value"] for entry in self.get("/_lab/secrets")["secrets"]]

    def shift_clock(self, seconds: float) -> None:
        self.post("/_lab/clock", {"shift_seconds": seconds})

    def reset_clock(self) -> None:
        self.post("/_lab/clock", {"offset_seconds": 0})

    def now(self) -> datetime.datetime:
        """The lab clock's time (shifted by tests), to sign requests the lab will not call skewed."""
        return datetime.datetime.fromisoformat(self.get("/_lab/clock")["now"])

    def client(self, service: str, credentials: dict | None = None, region: str = "us-east-1", config: Config | None = None):
        """A boto3 client for the lab; `credentials` has AccessKeyId/SecretAccessKey[/SessionToken]
        (STS shape) or is None for an unsigned client."""
        if credentials is None:
            unsigned = Config(signature_version=UNSIGNED)
            return boto3.client(service, endpoint_url=self.endpoint, region_name=region, config=unsigned.merge(config or Config()))
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials.get("SessionToken"),
            config=config,
        )

    def user_keys(self, name: str) -> dict:
        user = self.iam_user(name)
        return {"AccessKeyId": user["access_key_id"], "SecretAccessKey": user["secret_access_key"]}

    def totp(self, serial: str) -> str:
        return self.get(f"/_lab/totp?serial={urllib.request.quote(serial)}")["code"]

    def sso_token(self, user: str = "", grant_types: tuple[str, ...] = (DEVICE_GRANT, "refresh_token")) -> dict:
        """Runs the device flow with boto3, approving as `user` (the scenario's default when empty);
        returns CreateToken's response plus clientId/clientSecret."""
        oidc = self.client("sso-oidc")
        client = oidc.register_client(clientName="lab-check", clientType="public", grantTypes=list(grant_types))
        ids = {"clientId": client["clientId"], "clientSecret": client["clientSecret"]}
        device = oidc.start_device_authorization(**ids, startUrl=START_URL)
        suffix = f"&user={user}" if user else ""
        with urllib.request.urlopen(device["verificationUriComplete"] + suffix, timeout=10) as response:
            if response.status != 200:
                raise AssertionError("device approval failed")
        token = oidc.create_token(**ids, grantType=DEVICE_GRANT, deviceCode=device["deviceCode"])
        return {**token, **ids}

    def role_credentials(self, account: str, permission_set: str, user: str = "") -> dict:
        """SSO role credentials (STS shape) for `user` in account `account` (name)."""
        token = self.sso_token(user)["accessToken"]
        role = self.client("sso").get_role_credentials(
            accessToken=token, accountId=self.account_id(account), roleName=permission_set
        )["roleCredentials"]
        return {"AccessKeyId": role["accessKeyId"], "SecretAccessKey": role["secretAccessKey"], "SessionToken": role["sessionToken"]}

    def github_jwt(self, audience: str = "sts.amazonaws.com", request_token: str = "") -> str:
        github = self.state["github"]
        status, body = self.call(
            "GET",
            github["request_url"].removeprefix(self.endpoint) + f"&audience={audience}",
            headers={"Authorization": f"bearer {request_token or github['request_token']}"},
        )
        if status != 200:
            raise AssertionError(f"GitHub token endpoint → {status}")
        return body["value"]

    def signed_request(self, method: str, path: str, credentials: dict, service: str, signed_at: datetime.datetime,
                       body: bytes = b"", headers: dict | None = None):
        """Sends a SigV4 request signed as of `signed_at` (botocore's signer always uses the current time)."""
        creds = Credentials(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials.get("SessionToken"))
        request = AWSRequest(method=method, url=self.endpoint + path, data=body, headers=headers or {})
        timestamp = signed_at.strftime("%Y%m%dT%H%M%SZ")
        request.context["timestamp"] = timestamp
        request.headers["X-Amz-Date"] = timestamp
        if creds.token:
            request.headers["X-Amz-Security-Token"] = creds.token
        auth = SigV4Auth(creds, service, "us-east-1")
        signature = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
        signed = auth.signed_headers(auth.headers_to_sign(request))
        request.headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={auth.scope(request)}, "
            f"SignedHeaders={signed}, Signature={signature}"
        )
        http = urllib.request.Request(request.url, data=body or None, method=method, headers=dict(request.headers.items()))
        try:
            with urllib.request.urlopen(http, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def subprocess_env(self, **extra: str) -> dict[str, str]:
        """The environment for a real AWS client in a child process: the safety net, no ambient AWS
        settings, the lab as STS and S3 endpoint."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            {
                "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_ENDPOINT_URL_STS": self.endpoint,
                "AWS_ENDPOINT_URL_S3": self.endpoint,
                "AWS_PAGER": "",
                "CHECKPOINT_DISABLE": "1",
            }
        )
        env.update(extra)
        return env


_lab: LabClient | None = None


def lab() -> LabClient:
    """The module's lab, attached or started on first use."""
    global _lab
    if _lab is None:
        state_dir = os.environ.get("ATMOS_LAB_STATE_DIR")
        if state_dir:
            process = LabProcess(state_dir).attach()
        else:
            process = LabProcess(tempfile.mkdtemp(prefix="atmos-lab-"), idle_timeout=120).start()
            atexit.register(process.stop)
        _lab = LabClient(process)
    return _lab


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)
