"""The lab's own endpoints under `/_lab/` (a path real AWS never serves):

  GET  /_lab/health                   {"status": "ok"}
  GET  /_lab/state                    accounts, the organization's id, SSO users and permission sets, IAM users
                                      with their keys and MFA seeds, the GitHub issuer's request URL and token
                                      (contains secrets)
  GET  /_lab/counters                 {"counts": {"sso-oidc:StartDeviceAuthorization": 1, ...},
                                       "seconds": {"s3:GetObject": 0.0123, ...},
                                       "busy_seconds": {"s3:GetObject": 0.0101, ...},
                                       "objects": {"s3:GetObject": {"<bucket>/<key>": {"200": 1}}, ...},
                                       "callers": {"s3:GetObject": {"<bucket>/<key>": {"<caller ARN>": 1}}}}
                                      (see faults.CallCounter)
  POST /_lab/counters/reset
  POST /_lab/terraform-state          {"bucket": B, "key": K | "workspace": W [, "workspace_key_prefix": P],
                                       "outputs": {...}, "sensitive": [...]} or {"states": [...]}: writes
                                      Terraform state objects into their buckets (see tfstate.py), uncounted
  POST /_lab/faults                   {"operation": "sts:AssumeRole", "kind": "throttle|error|delay|oversized",
                                       "count": N, "delay_seconds": S}
  DELETE /_lab/faults
  GET|POST /_lab/clock                {"shift_seconds": S} or {"offset_seconds": S}
  GET|POST /_lab/lifetimes            {"sso_access_token": S, ...} (see lifetimes.Lifetimes)
  GET  /_lab/secrets                  {"secrets": [{"kind": ..., "value": ...}]}: everything issued so far
  GET  /_lab/totp?serial=ARN          {"code": "123456"}: the MFA device's current code
  GET  /_lab/device?user_code=C[&user=NAME]   the browser step: approve as NAME (default: scenario's user)
  GET  /_lab/device/deny?user_code=C          the browser step: deny
  GET  /_lab/github/token?audience=A  ACTIONS_ID_TOKEN_REQUEST_URL (Authorization: bearer <request token>)
  GET  /_lab/github/.well-known/jwks and /_lab/github/.well-known/openid-configuration
  POST /_lab/github/request-token     {"claims": {...}} → {"token": ..., "url": ...}
  POST /_lab/github/jwt               {"audience": A, "claims": {...}, "key": "lab|foreign"} → {"value": jwt}
"""

import json

from werkzeug.wrappers import Request, Response

from . import tfstate, totp
from .faults import FAULT_KINDS
from .jwt import SigningKey


def _json(document, status: int = 200) -> Response:
    return Response(json.dumps(document, indent=2), status=status, content_type="application/json")


def _bad_request(message: str) -> Response:
    return _json({"message": message}, status=400)


class Control:
    def __init__(self, lab) -> None:
        self._lab = lab
        self._foreign_key: SigningKey | None = None
        self._routes = {
            ("GET", "/_lab/health"): lambda r: _json({"status": "ok"}),
            ("GET", "/_lab/state"): lambda r: _json(self._state()),
            ("GET", "/_lab/counters"): lambda r: _json(self._lab.counters.snapshot()),
            ("POST", "/_lab/counters/reset"): self._reset_counters,
            ("POST", "/_lab/terraform-state"): self._seed_terraform_state,
            ("POST", "/_lab/faults"): self._add_fault,
            ("DELETE", "/_lab/faults"): self._clear_faults,
            ("GET", "/_lab/clock"): lambda r: self._clock_state(),
            ("POST", "/_lab/clock"): self._set_clock,
            ("GET", "/_lab/lifetimes"): lambda r: _json(vars(self._lab.lifetimes.get())),
            ("POST", "/_lab/lifetimes"): self._set_lifetimes,
            ("GET", "/_lab/secrets"): lambda r: _json({"secrets": self._lab.ledger.entries()}),
            ("GET", "/_lab/totp"): self._totp,
            ("GET", "/_lab/device"): lambda r: self._lab.oidc.decide(r.args.get("user_code", ""), r.args.get("user", ""), True),
            ("GET", "/_lab/device/deny"): lambda r: self._lab.oidc.decide(r.args.get("user_code", ""), "", False),
            ("GET", "/_lab/github/token"): self._github_token,
            ("GET", "/_lab/github/.well-known/jwks"): lambda r: _json(self._lab.github.jwks()),
            ("GET", "/_lab/github/.well-known/openid-configuration"): lambda r: _json(self._openid_configuration()),
            ("POST", "/_lab/github/request-token"): self._github_request_token,
            ("POST", "/_lab/github/jwt"): self._github_jwt,
        }

    def dispatch(self, request: Request) -> Response:
        route = self._routes.get((request.method, request.path))
        if route is None:
            return _json({"message": f"no lab endpoint {request.method} {request.path}"}, status=404)
        return route(request)

    @staticmethod
    def _body(request: Request) -> dict:
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError as error:
            raise ValueError(f"request body is not JSON: {error}") from error
        if not isinstance(body, dict):
            raise ValueError("request body must be a JSON object")
        return body

    def _state(self) -> dict:
        lab, organization = self._lab, self._lab.organization
        names = {a.id: a.name for a in organization.accounts}
        return {
            "endpoint": lab.endpoint,
            "accounts": [{"id": a.id, "name": a.name, "email": a.email} for a in organization.accounts],
            "sso": {
                "start_url": organization.sso_start_url,
                "region": organization.sso_region,
                "default_user": organization.sso_default_user,
                "permission_sets": {
                    name: {"session_duration": ps.session_duration, "role_name": ps.role_name(organization.sso_start_url)}
                    for name, ps in organization.permission_sets.items()
                },
                "users": {
                    user.name: {
                        "email": user.email,
                        "assignments": [
                            {"account_id": account_id, "account_name": names[account_id], "permission_set": ps}
                            for account_id, ps in user.assignments
                        ],
                    }
                    for user in organization.sso_users.values()
                },
            },
            "organization": {"id": organization.organization_id, "management_account_id": organization.management_account},
            "iam_users": [vars(user) for user in organization.iam_users],
            "github": {
                "issuer": lab.github.issuer,
                "request_url": f"{lab.endpoint}/_lab/github/token?api-version=2.0",
                "request_token": organization.github_request_token,
                "jwks_url": f"{lab.endpoint}/_lab/github/.well-known/jwks",
            },
        }

    def _reset_counters(self, request: Request) -> Response:
        self._lab.counters.reset()
        return _json(self._lab.counters.snapshot())

    def _seed_terraform_state(self, request: Request) -> Response:
        try:
            seeds = tfstate.parse_all(self._body(request))
            for seed in seeds:
                tfstate.check_bucket(seed)
            for seed in seeds:
                tfstate.write(seed)
        except ValueError as error:
            return _bad_request(str(error))
        return _json({"objects": [{"bucket": seed.bucket, "key": seed.key} for seed in seeds]})

    def _add_fault(self, request: Request) -> Response:
        try:
            body = self._body(request)
            operation = body["operation"]
            if ":" not in operation:
                raise ValueError("operation must be <service>:<Operation>, e.g. sts:AssumeRole")
            self._lab.faults.add(operation, body["kind"], int(body.get("count", 1)), float(body.get("delay_seconds", 0)))
        except KeyError as error:
            return _bad_request(f"missing {error}; kinds: {', '.join(FAULT_KINDS)}")
        except ValueError as error:
            return _bad_request(str(error))
        return _json({"status": "ok"})

    def _clear_faults(self, request: Request) -> Response:
        self._lab.faults.clear()
        return _json({"status": "ok"})

    def _clock_state(self) -> Response:
        clock = self._lab.clock
        return _json({"offset_seconds": clock.offset, "now": clock.now().isoformat()})

    def _set_clock(self, request: Request) -> Response:
        try:
            body = self._body(request)
            if "offset_seconds" in body:
                self._lab.clock.set_offset(float(body["offset_seconds"]))
            else:
                self._lab.clock.shift(float(body["shift_seconds"]))
        except (KeyError, ValueError, TypeError):
            return _bad_request('expected {"shift_seconds": S} or {"offset_seconds": S}')
        return self._clock_state()

    def _set_lifetimes(self, request: Request) -> Response:
        try:
            return _json(vars(self._lab.lifetimes.update(self._body(request))))
        except ValueError as error:
            return _bad_request(str(error))

    def _totp(self, request: Request) -> Response:
        user = self._lab.organization.iam_user_by_mfa_serial(request.args.get("serial", ""))
        if user is None:
            return _json({"message": "no scenario IAM user has this MFA serial"}, status=404)
        return _json({"code": totp.code_at(user.mfa_seed, self._lab.clock.time())})

    def _github_token(self, request: Request) -> Response:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        claims = self._lab.github.claims_for(token.strip()) if scheme.lower() == "bearer" else None
        if claims is None:
            return _json({"message": "Bad credentials"}, status=401)
        audience = request.args.get("audience") or f"https://github.com/{claims['repository_owner']}"
        return _json({"value": self._lab.github.mint(audience, claims)})

    def _openid_configuration(self) -> dict:
        issuer = self._lab.github.issuer
        return {
            "issuer": issuer,
            "jwks_uri": f"{self._lab.endpoint}/_lab/github/.well-known/jwks",
            "subject_types_supported": ["public", "pairwise"],
            "response_types_supported": ["id_token"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository", "environment"],
        }

    def _github_request_token(self, request: Request) -> Response:
        try:
            claims = self._body(request).get("claims", {})
        except ValueError as error:
            return _bad_request(str(error))
        token = self._lab.github.add_request_token(claims)
        return _json({"token": token, "url": f"{self._lab.endpoint}/_lab/github/token?api-version=2.0"})

    def _github_jwt(self, request: Request) -> Response:
        try:
            body = self._body(request)
        except ValueError as error:
            return _bad_request(str(error))
        key = None
        if body.get("key", "lab") == "foreign":
            self._foreign_key = self._foreign_key or SigningKey()
            key = self._foreign_key
        return _json({"value": self._lab.github.mint(body.get("audience", "sts.amazonaws.com"), body.get("claims", {}), key)})
