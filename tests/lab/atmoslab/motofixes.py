"""Changes to moto's request authentication, installed once per process before serving:

- SigV4 is recomputed over the raw request URI (canonical query encoding) with an empty payload for
  GET/HEAD/DELETE; moto re-signs the decoded URL and treats GET parameters as the payload, so correctly
  signed GETs and percent-escaped queries (Terraform's s3 backend) fail.
- Session credentials minted by the lab's GetSessionToken are recognised as their IAM user, those minted by
  its AssumeRoot as the account's root limited to the task policy.
- Expired temporary credentials are rejected with `ExpiredToken`, measured on the lab clock.
- Identity and trust policies are evaluated by `atmoslab.policy` (account principals, conditions,
  cross-account roles), not by moto's evaluator.
- S3 requests on another account's bucket need the bucket policy's Allow as well as the caller's own (moto
  serves every account's buckets to everyone); the bucket policy can also grant or deny in the owner's account.
  moto's own, caller-blind bucket-policy check (an empty 403 body on object requests) is off.
- Reading a missing object is `AccessDenied`, not `NoSuchKey`, for a caller without `s3:ListBucket` on the
  bucket (AWS does not reveal which keys exist).
- SSM parameter actions are checked against the parameter's ARN (moto checks `*`), and a parameter of another
  account (named by ARN) is refused: the lab does not share parameters.
- Auth failures of awsJson services (SSM) use that protocol's error shape, not the query protocol's XML.
- moto's STS reads the lab clock, and every secret access key and session token moto mints is recorded.
"""

import json
import re
import threading
from urllib.parse import quote, unquote, urlsplit

import moto.iam.access_control as access_control
import moto.iam.models as iam_models
import moto.sts.models as sts_models
from botocore.awsrequest import AWSRequest
from moto import settings
from moto.iam.models import iam_backends
from moto.s3.exceptions import S3ClientError
from moto.s3.models import FakeBucket, s3_backends

from . import policy
from .clock import LabClock
from .errors import JsonAuthError, QueryAuthError
from .ledger import SecretLedger
from .sessions import UserSession, UserSessions

current_request = threading.local()
"""`raw_uri`: the request target exactly as the client sent it; set by the lab app for each request.
`caller_arn`: the authenticated caller once its policies are evaluated ("" before), for the counters."""

ALWAYS_PERMITTED = ("sts:GetCallerIdentity", "sts:GetSessionToken")
JSON_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)


def canonical_target(raw_uri: str) -> str:
    """The raw path plus the SigV4 canonical query: each name and value decoded, re-encoded with
    only unreserved characters left bare, and sorted."""
    parts = urlsplit(raw_uri)
    pairs = []
    for item in filter(None, parts.query.split("&")):
        name, _, value = item.partition("=")
        pairs.append((quote(unquote(name), safe="-_.~"), quote(unquote(value), safe="-_.~")))
    query = "&".join(f"{name}={value}" for name, value in sorted(pairs))
    return parts.path + ("?" + query if query else "")


class UserSessionAccessKey(access_control.IAMUserAccessKey):
    """A GetSessionToken session seen as its IAM user: same ARN and policies, plus the session token."""

    def __init__(self, session: UserSession, headers) -> None:
        self.account_id = session.account_id
        self.partition = "aws"
        self.session = session
        self._owner_user_name = session.user_name
        self._access_key_id = session.access_key_id
        self._secret_access_key = session.secret_access_key
        if "X-Amz-Security-Token" not in headers:
            raise access_control.CreateAccessKeyFailure(reason="InvalidId")
        if headers["X-Amz-Security-Token"] != session.session_token:
            raise access_control.CreateAccessKeyFailure(reason="InvalidToken")

    def create_credentials(self):
        credentials = super().create_credentials()
        credentials.token = self.session.session_token
        return credentials


class RootSessionAccessKey(UserSessionAccessKey):
    """An AssumeRoot session: the member account's root user, allowed only what its task policy allows."""

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:root"

    def collect_policies(self):
        return [{"policy_document": self.session.task_policy}]


def _policy_document(stored) -> str | dict:
    if isinstance(stored, iam_models.Policy):
        return next(version.document for version in stored.versions if version.is_default)
    if isinstance(stored, dict):
        return stored["policy_document"]
    return stored


def find_role(role_arn: str):
    account_id = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
    if account_id not in iam_backends:
        return None
    try:
        return iam_backends[account_id]["aws"].get_role_by_arn(role_arn)
    except iam_models.NotFoundException:
        return None


def caller_of(access_key, data: dict) -> policy.Caller:
    """The policy-evaluation view of moto's access-key object for a request with parameters `data`."""
    values: dict[str, str] = {"aws:PrincipalAccount": access_key.account_id}
    for parameter, key in (("ExternalId", "sts:ExternalId"), ("RoleSessionName", "sts:RoleSessionName")):
        if data.get(parameter):
            values[key] = data[parameter][0]
    role_arn = ""
    if isinstance(access_key, UserSessionAccessKey):
        values["aws:MultiFactorAuthPresent"] = str(access_key.session.mfa_authenticated).lower()
        values["aws:PrincipalType"] = "User"
    elif isinstance(access_key, access_control.AssumedRoleAccessKey):
        role = iam_backends[access_key.account_id]["aws"].get_role(access_key._owner_role_name)
        role_arn = role.arn
        values["aws:MultiFactorAuthPresent"] = "false"
        values["aws:PrincipalType"] = "AssumedRole"
    else:
        values["aws:PrincipalType"] = "User"
    values["aws:PrincipalArn"] = role_arn or access_key.arn
    return policy.Caller(
        account=access_key.account_id, arn=access_key.arn, role_arn=role_arn, context=policy.context(**values)
    )


def json_protocol(headers) -> bool:
    """awsJson requests name their operation in `X-Amz-Target` (SSM, …)."""
    return bool(headers.get("X-Amz-Target"))


def bucket_owner(resource: str) -> tuple[str, bytes | None] | None:
    """(owning account, bucket policy) of the existing bucket an S3 resource ARN names, else None."""
    name = resource.removeprefix("arn:aws:s3:::").partition("/")[0]
    owner = s3_backends.bucket_accounts.get(name)
    if owner is None:
        return None
    partition, account_id = owner
    bucket = s3_backends[account_id][partition].buckets.get(name)
    return (account_id, bucket.policy) if bucket is not None else None


def object_missing(resource: str) -> bool:
    """The S3 object ARN names an existing bucket without that key."""
    name, _, key = resource.removeprefix("arn:aws:s3:::").partition("/")
    owner = s3_backends.bucket_accounts.get(name)
    if owner is None:
        return False
    partition, account_id = owner
    bucket = s3_backends[account_id][partition].buckets.get(name)
    return bucket is not None and key not in bucket.keys


def s3_permitted(documents: list, action: str, resource: str, caller: policy.Caller) -> bool:
    """AWS's rule for S3 without ACLs: an explicit Deny anywhere refuses; in the bucket owner's account the
    identity policy or the bucket policy may grant; from another account both must."""
    identity = policy.evaluate(documents, action, resource, caller)
    owner = bucket_owner(resource)
    if owner is None:
        return identity == policy.ALLOW
    owner_account, bucket_policy = owner
    resource_documents = [bucket_policy.decode()] if bucket_policy else []
    granted = policy.evaluate(resource_documents, action, resource, caller, resource_policy=True)
    if policy.DENY in (identity, granted):
        return False
    if owner_account != caller.account:
        return identity == policy.ALLOW and granted == policy.ALLOW
    direct = policy.evaluate(resource_documents, action, resource, caller, resource_policy=True, account_principals=False)
    return policy.ALLOW in (identity, direct)


def ssm_resources(body: bytes, region: str, account_id: str) -> list[str]:
    """The parameter ARNs an SSM request acts on (`Name`, `Names` or `Path`; names or ARNs), else ["*"]."""
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return ["*"]
    if not isinstance(request, dict):
        return ["*"]
    if isinstance(request.get("Names"), list):
        names = [str(name) for name in request["Names"]]
    elif isinstance(request.get("Name"), str):
        names = [request["Name"]]
    elif isinstance(request.get("Path"), str):
        names = [request["Path"]]
    else:
        return ["*"]
    return [name if name.startswith("arn:") else f"arn:aws:ssm:{region}:{account_id}:parameter/{name.lstrip('/')}" for name in names]


def resource_account(arn: str) -> str:
    found = re.match(r"arn:[^:]*:[^:]*:[^:]*:(\d{12}):", arn)
    return found.group(1) if found else ""


def install(clock: LabClock, ledger: SecretLedger, sessions: UserSessions) -> None:
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    sts_models.utcnow = clock.naive_utcnow

    def create_aws_request(self) -> AWSRequest:
        signed_headers = self._get_string_between("SignedHeaders=", ",", self._headers["Authorization"]).split(";")
        headers = self._create_headers_for_aws_request(signed_headers, self._headers)
        payload = b"" if self._method in ("GET", "HEAD", "DELETE") else (self._body or self._data)
        request = AWSRequest(
            method=self._method, url=canonical_target(current_request.raw_uri), data=payload, headers=headers
        )
        request.context["timestamp"] = headers["X-Amz-Date"]
        return request

    original_create_access_key = access_control.create_access_key

    def create_access_key(account_id, partition, access_key_id, headers):
        session = sessions.find(access_key_id)
        if session is not None:
            key = (RootSessionAccessKey if session.task_policy is not None else UserSessionAccessKey)(session, headers)
            if session.expiration <= clock.now():
                raise access_control.CreateAccessKeyFailure(reason="ExpiredToken")
            return key
        key = original_create_access_key(account_id, partition, access_key_id, headers)
        if isinstance(key, access_control.AssumedRoleAccessKey):
            assumed = sts_models.sts_backends[account_id][partition].get_assumed_role_from_access_key(access_key_id)
            if assumed.expiration <= clock.naive_utcnow():
                raise access_control.CreateAccessKeyFailure(reason="ExpiredToken")
        return key

    original_invalid_key = access_control.IAMRequest._raise_invalid_access_key
    original_s3_invalid_key = access_control.S3IAMRequest._raise_invalid_access_key

    def raise_invalid_access_key(self, reason: str) -> None:
        if json_protocol(self._headers):
            if reason == "ExpiredToken":
                raise JsonAuthError("ExpiredTokenException", "The security token included in the request is expired")
            raise JsonAuthError("UnrecognizedClientException", "The security token included in the request is invalid.")
        if reason == "ExpiredToken":
            raise QueryAuthError(403, "ExpiredToken", "The security token included in the request is expired")
        original_invalid_key(self, reason)

    original_signature_mismatch = access_control.IAMRequest._raise_signature_does_not_match

    def raise_signature_does_not_match(self) -> None:
        if json_protocol(self._headers):
            raise JsonAuthError("InvalidSignatureException", JSON_SIGNATURE_MISMATCH)
        original_signature_mismatch(self)

    def raise_s3_invalid_access_key(self, reason: str) -> None:
        if reason == "ExpiredToken":
            raise S3ClientError("ExpiredToken", "The provided token has expired.")
        original_s3_invalid_key(self, reason)

    def deny(self, resource: str, missing: str = "identity") -> None:
        """`missing`: which kind of policy failed to allow ("identity" or "resource"), for awsJson messages."""
        if isinstance(self, access_control.S3IAMRequest):
            self._raise_access_denied()
        message = f"User: {self._access_key.arn} is not authorized to perform: {self._action} on resource: {resource}"
        if json_protocol(self._headers):
            raise JsonAuthError("AccessDeniedException", f"{message} because no {missing}-based policy allows the {self._action} action")
        raise QueryAuthError(403, "AccessDenied", message)

    def check_action_permitted(self, resource: str) -> None:
        if self._action in ALWAYS_PERMITTED:
            return
        caller = caller_of(self._access_key, self._data)
        current_request.caller_arn = caller.arn
        documents = [_policy_document(stored) for stored in self._access_key.collect_policies()]
        if isinstance(self, access_control.S3IAMRequest):
            if not s3_permitted(documents, self._action, resource, caller):
                deny(self, resource)
            if self._action == "s3:GetObject" and object_missing(resource):
                bucket = resource.partition("/")[0]
                if not s3_permitted(documents, "s3:ListBucket", bucket, caller):
                    deny(self, resource)
            return
        if self._service == "ssm" and resource == "*":
            for target in ssm_resources(self._body, self._region, caller.account):
                if policy.evaluate(documents, self._action, target, caller) != policy.ALLOW:
                    deny(self, target)
                if target != "*" and resource_account(target) != caller.account:
                    deny(self, target, "resource")
            return
        if policy.evaluate(documents, self._action, resource, caller) != policy.ALLOW:
            deny(self, resource)
        if self._action == "sts:AssumeRole":
            role = find_role(resource)
            trusted = role is not None and policy.evaluate(
                [role.assume_role_policy_document], self._action, resource, caller, trust=True
            )
            if trusted != policy.ALLOW:
                deny(self, resource)

    original_caller_identity = sts_models.STSBackend.get_caller_identity

    def get_caller_identity(self, access_key_id: str, region: str):
        session = sessions.find(access_key_id)
        if session is None:
            return original_caller_identity(self, access_key_id, region)
        if session.task_policy is not None:
            return f"{session.account_id}", f"arn:aws:iam::{session.account_id}:root", session.account_id
        user = iam_backends[session.account_id]["aws"].get_user(session.user_name)
        return user.id, user.arn, session.account_id

    original_access_key_init = iam_models.AccessKey.__init__

    def access_key_init(self, *args, **kwargs) -> None:
        original_access_key_init(self, *args, **kwargs)
        ledger.record("secret_access_key", self.secret_access_key)

    original_session_token = sts_models.random_session_token

    def random_session_token() -> str:
        return ledger.record("session_token", original_session_token())

    def bucket_permission(self, action: str, resource: str):
        return access_control.PermissionResult.NEUTRAL

    access_control.IAMRequestBase._create_aws_request = create_aws_request
    access_control.IAMRequestBase.check_action_permitted = check_action_permitted
    access_control.create_access_key = create_access_key
    access_control.IAMRequest._raise_invalid_access_key = raise_invalid_access_key
    access_control.IAMRequest._raise_signature_does_not_match = raise_signature_does_not_match
    access_control.S3IAMRequest._raise_invalid_access_key = raise_s3_invalid_access_key
    sts_models.STSBackend.get_caller_identity = get_caller_identity
    iam_models.AccessKey.__init__ = access_key_init
    sts_models.random_session_token = random_session_token
    FakeBucket.get_permission = bucket_permission


def verify_signature(method: str, headers, body: bytes, params: dict[str, str], action: str):
    """Checks a SigV4-signed query-protocol request the lab answers itself (not moto) with moto's own
    checker; returns moto's access-key object for the caller or raises moto's auth error."""
    authorization = headers.get("Authorization", "")
    access_key_id = authorization.partition("Credential=")[2].partition("/")[0]
    request = access_control.IAMRequest(
        account_id=iam_models.get_account_id_from(access_key_id),
        method=method,
        path=current_request.raw_uri,
        data={name: [value] for name, value in params.items()},
        body=body,
        headers=headers,
        action=action,
    )
    request.check_signature()
    return request._access_key
