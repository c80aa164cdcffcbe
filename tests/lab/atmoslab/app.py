"""The lab as one WSGI application: the lab's own services in front of moto's, with call counting (per
operation, per S3 object and the lab's own time), fault injection and the clock-skew check applied to every
AWS request.

Creating a `Lab` patches moto process-wide (`motofixes.install`): one lab per process."""

import datetime
import io
import json
import secrets
import time
from urllib.parse import parse_qs, urlsplit

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.wrappers import Request, Response

from . import motofixes, operations, scenario
from .clock import LabClock
from .control import Control
from .errors import aws_json_error, fault_response, oidc_error, query_error, s3_error
from .faults import CallCounter, FaultPlan
from .federation import ConsoleFederation
from .github import GithubIssuer
from .ledger import SecretLedger
from .lifetimes import LifetimeSettings
from .sessions import UserSessions
from .sso_oidc import SsoOidc
from .sso_portal import SsoPortal
from .sts import StsExtensions

MAX_SKEW_SECONDS = 300
# moto renders auth failures of awsJson services as text/html.
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
AMZ_DATE = "%Y%m%dT%H%M%SZ"


class Lab:
    def __init__(self, scenario_document: dict) -> None:
        self.clock = LabClock()
        self.ledger = SecretLedger()
        self.counters = CallCounter()
        self.faults = FaultPlan()
        self.lifetimes = LifetimeSettings()
        self.sessions = UserSessions(self.clock, self.ledger)
        motofixes.install(self.clock, self.ledger, self.sessions)
        self.organization = scenario.build(scenario_document, secrets.token_urlsafe(32))
        self.lifetimes.update(self.organization.lifetimes)
        self.github = GithubIssuer(self.clock, self.ledger, self.lifetimes, self.organization.github_claims)
        self.github.add_request_token({}, self.organization.github_request_token)
        self.oidc = SsoOidc(self.organization, self.clock, self.ledger, self.lifetimes)
        self.portal = SsoPortal(self.organization, self.oidc, self.lifetimes)
        self.sts = StsExtensions(self.clock, self.sessions, self.github, self.organization)
        self.federation = ConsoleFederation(self.clock, self.ledger)
        self.control = Control(self)
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.endpoint = ""
        self.last_request = time.monotonic()

    def set_endpoint(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.oidc.endpoint = endpoint

    def __call__(self, environ, start_response):
        self.last_request = time.monotonic()
        raw = urlsplit(environ.get("RAW_URI") or environ.get("PATH_INFO", "/"))
        motofixes.current_request.raw_uri = raw.path + ("?" + raw.query if raw.query else "")
        motofixes.current_request.caller_arn = ""
        request = Request(environ)
        if request.path.startswith("/_lab/"):
            return self.control.dispatch(request)(environ, start_response)
        if request.path.startswith("/moto-api"):
            return Response("moto's own API is closed in the lab\n", status=404)(environ, start_response)
        form: dict[str, str] = {}
        if request.mimetype == "application/x-www-form-urlencoded":
            body = request.get_data(cache=True)
            environ["wsgi.input"] = io.BytesIO(body)
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        operation = operations.identify(request.method, request.path, raw.query, request.headers, form)
        started = self.counters.record(operation.qualified)
        s3_object = operations.s3_object(operation, request.path)
        answered = []

        def answer(status: str, headers: list, exc_info=None):
            if not answered:
                answered.append(status)
                self.counters.record_answer(operation.qualified, int(status.split(" ", 1)[0]), started, s3_object,
                                            motofixes.current_request.caller_arn)
            if operation.protocol == "json":
                headers = [(name, JSON_CONTENT_TYPE if name.lower() == "content-type" and value.startswith("text/html") else value)
                           for name, value in headers]
            return start_response(status, headers, exc_info)

        try:
            return self._serve(environ, answer, request, operation, form)
        finally:
            if not answered:
                self.counters.record_unanswered(operation.qualified, started)

    def _serve(self, environ, answer, request: Request, operation: operations.Operation, form: dict[str, str]):
        fault = self.faults.take(operation.qualified)
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.delay_seconds)
        elif fault is not None:
            return fault_response(operation.protocol, fault.kind)(environ, answer)
        response = self._answer(request, operation, form)
        if response is None:
            return self.moto(environ, answer)
        return response(environ, answer)

    def _answer(self, request: Request, operation: operations.Operation, form: dict[str, str]) -> Response | None:
        """The lab's own response, or None to let moto answer."""
        args = request.args.to_dict()
        if operation.protocol == "sso-oidc":
            try:
                body = json.loads(request.get_data() or b"{}")
            except ValueError:
                return oidc_error(400, "InvalidRequestException", "invalid_request", "Request body is not JSON")
            handler = {
                "RegisterClient": self.oidc.register_client,
                "StartDeviceAuthorization": self.oidc.start_device_authorization,
                "CreateToken": self.oidc.create_token,
            }[operation.name]
            return handler(body if isinstance(body, dict) else {})
        if operation.protocol == "sso":
            if operation.name == "Logout":
                return self.portal.logout(request.headers)
            handler = {
                "GetRoleCredentials": self.portal.get_role_credentials,
                "ListAccounts": self.portal.list_accounts,
                "ListAccountRoles": self.portal.list_account_roles,
            }[operation.name]
            return handler(request.headers, args)
        if operation.protocol == "signin":
            if operation.name == "GetSigninToken":
                return self.federation.get_signin_token(args)
            return self.federation.login(args)
        if operation.qualified == "sts:AssumeRoleWithWebIdentity":
            return self.sts.assume_role_with_web_identity({**args, **form})
        if "AWS4-HMAC-SHA256" not in request.headers.get("Authorization", ""):
            return _missing_authentication(operation.protocol)
        skewed = self._check_skew(request, operation.protocol)
        if skewed is not None:
            return skewed
        if operation.qualified == "sts:GetSessionToken":
            return self.sts.get_session_token(request.method, request.headers, request.get_data(), {**args, **form})
        if operation.qualified == "sts:AssumeRoot":
            return self.sts.assume_root(request.method, request.headers, request.get_data(), {**args, **form})
        return None

    def _check_skew(self, request: Request, protocol: str) -> Response | None:
        amz_date = request.headers.get("X-Amz-Date", "")
        try:
            signed_at = datetime.datetime.strptime(amz_date, AMZ_DATE).replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            message = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
            return s3_error(400, "AccessDenied", message) if protocol == "s3" else query_error(400, "IncompleteSignature", message)
        now = self.clock.now()
        skew = (signed_at - now).total_seconds()
        if abs(skew) <= MAX_SKEW_SECONDS:
            return None
        if protocol == "s3":
            return s3_error(
                403,
                "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.",
                RequestTime=amz_date,
                ServerTime=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                MaxAllowedSkewMilliseconds=str(MAX_SKEW_SECONDS * 1000),
            )
        limit = datetime.timedelta(seconds=MAX_SKEW_SECONDS)
        if skew < 0:
            message = f"Signature expired: {amz_date} is now earlier than {(now - limit).strftime(AMZ_DATE)} ({now.strftime(AMZ_DATE)} - 5 min.)"
        else:
            message = f"Signature not yet current: {amz_date} is still later than {(now + limit).strftime(AMZ_DATE)} ({now.strftime(AMZ_DATE)} + 5 min.)"
        if protocol == "json":
            return aws_json_error(400, "InvalidSignatureException", message)
        return query_error(403, "SignatureDoesNotMatch", message)


def _missing_authentication(protocol: str) -> Response:
    if protocol == "s3":
        return s3_error(403, "AccessDenied", "Access Denied")
    if protocol == "json":
        return aws_json_error(400, "MissingAuthenticationTokenException", "Missing Authentication Token")
    return query_error(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
