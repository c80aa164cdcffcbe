"""Which AWS operation a request is, for routing, call counters and fault injection."""

import dataclasses
from urllib.parse import parse_qs

SSO_OIDC_PATHS = {
    ("POST", "/client/register"): "RegisterClient",
    ("POST", "/device_authorization"): "StartDeviceAuthorization",
    ("POST", "/token"): "CreateToken",
}
SSO_PORTAL_PATHS = {
    ("GET", "/federation/credentials"): "GetRoleCredentials",
    ("GET", "/assignment/accounts"): "ListAccounts",
    ("GET", "/assignment/roles"): "ListAccountRoles",
    ("POST", "/logout"): "Logout",
}
SIGNIN_ACTIONS = {"getSigninToken": "GetSigninToken", "login": "Login"}
S3_BUCKET_SUBRESOURCES = ("acl", "policy", "versioning", "tagging", "encryption", "lifecycle", "cors", "location")
S3_OBJECT_OPERATIONS = ("GetObject", "HeadObject", "PutObject", "CopyObject", "DeleteObject")
# awsJson target prefixes, for requests without a credential scope (unsigned ones).
JSON_TARGET_SERVICES = {"AmazonSSM": "ssm"}


@dataclasses.dataclass(frozen=True)
class Operation:
    service: str  # signing name: sts, iam, s3, sso, sso-oidc, signin, ...
    name: str
    protocol: str  # query | s3 | json | sso | sso-oidc | signin

    @property
    def qualified(self) -> str:
        return f"{self.service}:{self.name}"


def s3_object(operation: Operation, path: str) -> str:
    """"<bucket>/<key>" of a path-style S3 object request (`path` decoded), else ""."""
    if operation.protocol != "s3" or operation.name not in S3_OBJECT_OPERATIONS:
        return ""
    return path.lstrip("/")


def signing_service(authorization: str) -> str:
    """The service of a SigV4 credential scope (`Credential=AKID/date/region/service/aws4_request`)."""
    scope = authorization.partition("Credential=")[2].partition(",")[0].split("/")
    return scope[3] if len(scope) == 5 else ""


def identify(method: str, path: str, query: str, headers, form: dict[str, str]) -> Operation:
    """`form` is the decoded urlencoded body (empty for other bodies)."""
    if (method, path) in SSO_OIDC_PATHS:
        return Operation("sso-oidc", SSO_OIDC_PATHS[(method, path)], "sso-oidc")
    if (method, path) in SSO_PORTAL_PATHS:
        return Operation("sso", SSO_PORTAL_PATHS[(method, path)], "sso")
    args = {name: values[0] for name, values in parse_qs(query, keep_blank_values=True).items()}
    if method == "GET" and path == "/federation" and args.get("Action") in SIGNIN_ACTIONS:
        return Operation("signin", SIGNIN_ACTIONS[args["Action"]], "signin")
    service = signing_service(headers.get("Authorization", ""))
    action = form.get("Action") or args.get("Action")
    if action:
        return Operation(service or "sts", action, "query")
    target = headers.get("X-Amz-Target", "")
    if target:
        prefix, _, name = target.rpartition(".")
        return Operation(service or JSON_TARGET_SERVICES.get(prefix, "unknown"), name, "json")
    return Operation(service or "s3", _s3_operation(method, path, args, headers), "s3")


def _s3_operation(method: str, path: str, args: dict[str, str], headers) -> str:
    bucket, _, key = path.lstrip("/").partition("/")
    if not bucket:
        return "ListBuckets"
    if key:
        if method == "PUT":
            return "CopyObject" if headers.get("x-amz-copy-source") else "PutObject"
        return {"GET": "GetObject", "HEAD": "HeadObject", "DELETE": "DeleteObject"}.get(method, f"{method}Object")
    if method == "POST" and "delete" in args:
        return "DeleteObjects"
    if method == "GET":
        if args.get("list-type") == "2":
            return "ListObjectsV2"
        if "versions" in args:
            return "ListObjectVersions"
    subresource = next((name for name in S3_BUCKET_SUBRESOURCES if name in args), "")
    verb = {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}.get(method)
    if subresource and verb:
        return f"{verb}Bucket{subresource.capitalize()}"
    return {"GET": "ListObjects", "HEAD": "HeadBucket", "PUT": "CreateBucket", "DELETE": "DeleteBucket"}.get(
        method, f"{method}Bucket"
    )
