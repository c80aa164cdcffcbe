"""The STS operations moto does not validate: GetSessionToken checks the MFA code against the virtual MFA
device's seed and mints per-user session credentials; AssumeRoleWithWebIdentity verifies the JWT and the
role's trust policy before minting role credentials; AssumeRoot (moto lacks it) checks the caller's signature
and identity policy, that the caller is in the management or a delegated-administrator account, the task
policy and the target's membership, then mints root credentials for the member account scoped by the task
policy. Errors use AWS's codes and messages."""

import datetime
import re
from xml.sax.saxutils import escape

from moto.iam import access_control
from moto.iam.models import iam_backends
from moto.sts.models import sts_backends
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from . import motofixes, policy, totp
from .errors import STS_NAMESPACE, query_error, request_id
from .github import GithubIssuer
from .jwt import JwtFormatError, decode_unverified
from .sessions import UserSessions

MFA_INVALID_SERIAL = (
    "MultiFactorAuthentication failed, unable to validate MFA code. "
    "Please verify your MFA serial number is valid and associated with this user."
)
MFA_INVALID_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
ROOT_TASK_PREFIX = "arn:aws:iam::aws:policy/root-task/"
# The AWS-managed root-task policies, reduced to the actions the lab serves.
ROOT_TASK_ACTIONS = {
    "IAMAuditRootUserCredentials": ["iam:GetAccountSummary", "iam:GetLoginProfile", "iam:GetUser", "iam:ListAccessKeys",
                                    "iam:ListMFADevices", "iam:ListSigningCertificates"],
    "IAMCreateRootUserPassword": ["iam:CreateLoginProfile", "iam:GetLoginProfile", "iam:GetUser"],
    "IAMDeleteRootUserCredentials": ["iam:DeactivateMFADevice", "iam:DeleteAccessKey", "iam:DeleteLoginProfile",
                                     "iam:DeleteSigningCertificate", "iam:GetLoginProfile", "iam:GetUser",
                                     "iam:ListAccessKeys", "iam:ListMFADevices", "iam:ListSigningCertificates"],
    "S3UnlockBucketPolicy": ["s3:DeleteBucketPolicy", "s3:GetBucketPolicy", "s3:PutBucketPolicy"],
    "SQSUnlockQueuePolicy": ["sqs:GetQueueAttributes", "sqs:RemovePermission", "sqs:SetQueueAttributes"],
}
SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")


def _timestamp(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _credentials_xml(access_key_id: str, secret: str, token: str, expiration: datetime.datetime) -> str:
    return (
        f"<Credentials><AccessKeyId>{access_key_id}</AccessKeyId><SecretAccessKey>{escape(secret)}</SecretAccessKey>"
        f"<SessionToken>{escape(token)}</SessionToken><Expiration>{_timestamp(expiration)}</Expiration></Credentials>"
    )


def _result(action: str, inner: str) -> Response:
    body = (
        f'<{action}Response xmlns="{STS_NAMESPACE}"><{action}Result>{inner}</{action}Result>'
        f"<ResponseMetadata><RequestId>{request_id()}</RequestId></ResponseMetadata></{action}Response>"
    )
    return Response(body, status=200, content_type="text/xml")


def _validation(value, member: str, constraint: str) -> Response:
    message = f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
    return query_error(400, "ValidationError", message)


def _duration(params: dict, default: int, maximum: int) -> int | Response:
    raw = params.get("DurationSeconds", str(default))
    if not raw.isdigit() or not 900 <= int(raw) <= maximum:
        return _validation(raw, "durationSeconds", f"Member must have value between 900 and {maximum}")
    return int(raw)


class StsExtensions:
    def __init__(self, clock, sessions: UserSessions, github: GithubIssuer, organization=None) -> None:
        self._clock = clock
        self._sessions = sessions
        self._github = github
        self._organization = organization

    def assume_root(self, method: str, headers, body: bytes, params: dict[str, str]) -> Response:
        try:
            caller = motofixes.verify_signature(method, headers, body, params, "AssumeRoot")
        except HTTPException as error:
            return Response(error.description, status=error.code, content_type="text/xml")
        target, task_policy_arn = params.get("TargetPrincipal", ""), params.get("TaskPolicyArn.arn", "")
        for member, value in (("targetPrincipal", target), ("taskPolicyArn", task_policy_arn)):
            if not value:
                return _validation("null", member, "Member must not be null")
        raw = params.get("DurationSeconds", "900")
        if not raw.isdigit() or int(raw) > 900:
            return _validation(raw, "durationSeconds", "Member must have value less than or equal to 900")
        task = task_policy_arn.removeprefix(ROOT_TASK_PREFIX)
        if not task_policy_arn.startswith(ROOT_TASK_PREFIX) or task not in ROOT_TASK_ACTIONS:
            return query_error(400, "ValidationError", f"The task policy {task_policy_arn} is not a supported root task policy.")
        target_id = target.split(":")[4] if target.startswith("arn:") and target.count(":") >= 5 else target
        resource = f"arn:aws:iam::{target_id}:root"
        who = motofixes.caller_of(caller, {})
        documents = [motofixes._policy_document(stored) for stored in caller.collect_policies()]
        if isinstance(caller, motofixes.RootSessionAccessKey) or policy.evaluate(documents, "sts:AssumeRoot", resource, who) != policy.ALLOW:
            return query_error(403, "AccessDenied", f"User: {caller.arn} is not authorized to perform: sts:AssumeRoot on resource: {resource}")
        organization = self._organization
        if caller.account_id not in organization.root_access_admins:
            return query_error(
                403,
                "AccessDenied",
                f"User: {caller.arn} is not authorized to perform: sts:AssumeRoot: the caller's account is neither the "
                "management account nor a delegated administrator for centralized root access",
            )
        account = organization.account(target_id)
        if account is None or account.id == organization.management_account or not re.fullmatch(r"\d{12}", target_id):
            return query_error(403, "AccessDenied", f"The target principal {target} is not a member account of your organization.")
        task_policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ROOT_TASK_ACTIONS[task], "Resource": "*"}]}
        session = self._sessions.mint(account.id, "root", int(raw), False, task_policy)
        return _result(
            "AssumeRoot",
            _credentials_xml(session.access_key_id, session.secret_access_key, session.session_token, session.expiration),
        )

    def get_session_token(self, method: str, headers, body: bytes, params: dict[str, str]) -> Response:
        try:
            caller = motofixes.verify_signature(method, headers, body, params, "GetSessionToken")
        except HTTPException as error:
            return Response(error.description, status=error.code, content_type="text/xml")
        if type(caller) is not access_control.IAMUserAccessKey:
            return query_error(403, "AccessDenied", "Cannot call GetSessionToken with session credentials")
        duration = _duration(params, 43200, 129600)
        if isinstance(duration, Response):
            return duration
        serial, code = params.get("SerialNumber", ""), params.get("TokenCode", "")
        if serial or code:
            if code and not re.fullmatch(r"\d{6}", code):
                return _validation(code, "tokenCode", "Member must satisfy regular expression pattern: [\\d]* and have length 6")
            backend = iam_backends[caller.account_id]["aws"]
            user = backend.get_user(caller._owner_user_name)
            device = backend.virtual_mfa_devices.get(serial)
            if not code or serial not in user.mfa_devices or device is None:
                return query_error(403, "AccessDenied", MFA_INVALID_SERIAL)
            if not totp.accepts(device.base32_string_seed, code, self._clock.time()):
                return query_error(403, "AccessDenied", MFA_INVALID_CODE)
        session = self._sessions.mint(caller.account_id, caller._owner_user_name, duration, bool(serial))
        return _result(
            "GetSessionToken",
            _credentials_xml(session.access_key_id, session.secret_access_key, session.session_token, session.expiration),
        )

    def assume_role_with_web_identity(self, params: dict[str, str]) -> Response:
        role_arn, session_name = params.get("RoleArn", ""), params.get("RoleSessionName", "")
        token = params.get("WebIdentityToken", "")
        for member, value in (("roleArn", role_arn), ("roleSessionName", session_name), ("webIdentityToken", token)):
            if not value:
                return _validation("null", member, "Member must not be null")
        if not SESSION_NAME.fullmatch(session_name):
            constraint = "Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64"
            return _validation(session_name, "roleSessionName", constraint)
        duration = _duration(params, 3600, 43200)
        if isinstance(duration, Response):
            return duration
        account_id = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
        verified = self._verify_token(token, account_id)
        if isinstance(verified, Response):
            return verified
        claims, provider, audiences = verified
        host = provider.url
        values = {f"{host}:{name}": str(value) for name, value in claims.items() if isinstance(value, (str, int))}
        values[f"{host}:aud"] = audiences
        caller = policy.Caller(account=account_id, federated=provider.arn, context=policy.context(**values))
        role = motofixes.find_role(role_arn)
        trust = [role.assume_role_policy_document] if role is not None else []
        if policy.evaluate(trust, "sts:AssumeRoleWithWebIdentity", role_arn, caller, trust=True) != policy.ALLOW:
            return query_error(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
        assumed = sts_backends[account_id]["aws"].assume_role(
            region_name="us-east-1",
            role_session_name=session_name,
            role_arn=role_arn,
            policy=None,
            duration=duration,
            external_id=None,
        )
        expiration = assumed.expiration.replace(tzinfo=datetime.timezone.utc)
        return _result(
            "AssumeRoleWithWebIdentity",
            f"<SubjectFromWebIdentityToken>{escape(str(claims.get('sub', '')))}</SubjectFromWebIdentityToken>"
            f"<Audience>{escape(audiences[0])}</Audience>"
            f"<AssumedRoleUser><Arn>{assumed.arn}</Arn><AssumedRoleId>{escape(assumed.user_id)}</AssumedRoleId>"
            "</AssumedRoleUser>"
            + _credentials_xml(assumed.access_key_id, assumed.secret_access_key, assumed.session_token, expiration)
            + f"<Provider>{escape(host)}</Provider>",
        )

    def _verify_token(self, token: str, account_id: str):
        """(claims, OIDC provider, audiences) of a JWT the account trusts, or the error response."""
        try:
            header, claims = decode_unverified(token)
        except JwtFormatError:
            return query_error(400, "InvalidIdentityToken", "Couldn't parse the web identity token")
        issuer = str(claims.get("iss", ""))
        provider = self._provider(account_id, issuer)
        if provider is None:
            return query_error(400, "InvalidIdentityToken", f"No OpenIDConnect provider found in your account for {issuer}")
        key = self._github.key
        if issuer != self._github.issuer or header.get("alg") != "RS256" or header.get("kid") != key.kid or not key.verifies(token):
            return query_error(400, "InvalidIdentityToken", "The signature of the web identity token could not be verified")
        audiences = [str(a) for a in (claims["aud"] if isinstance(claims.get("aud"), list) else [claims.get("aud")])]
        if not set(audiences) & set(provider.client_id_list):
            return query_error(400, "InvalidIdentityToken", "Incorrect token audience")
        now = self._clock.time()
        expires = claims.get("exp")
        if not isinstance(expires, (int, float)) or now >= expires:
            expiry = _timestamp(datetime.datetime.fromtimestamp(expires or 0, datetime.timezone.utc))
            message = f"Token expired: current date/time {_timestamp(self._clock.now())} must be before the expiration date/time {expiry}"
            return query_error(400, "ExpiredTokenException", message)
        if isinstance(claims.get("nbf"), (int, float)) and now < claims["nbf"]:
            return query_error(400, "InvalidIdentityToken", "The web identity token is not yet valid (nbf is in the future)")
        return claims, provider, audiences

    @staticmethod
    def _provider(account_id: str, issuer: str):
        if account_id not in iam_backends or not issuer.startswith("https://"):
            return None
        providers = iam_backends[account_id]["aws"].open_id_providers.values()
        return next((p for p in providers if p.url == issuer.removeprefix("https://")), None)
