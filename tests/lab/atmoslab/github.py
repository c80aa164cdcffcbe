"""A GitHub Actions OIDC issuer: the runner's ID-token request endpoint (`ACTIONS_ID_TOKEN_REQUEST_URL`,
bearer request token, `audience` parameter, `{"value": jwt}`), its JWKS, and JWTs signed with its key.

Tokens carry GitHub's issuer `https://token.actions.githubusercontent.com` so trust policies use the real
condition keys (`token.actions.githubusercontent.com:sub`); only the lab's STS trusts the lab's key."""

import secrets
import threading
import uuid

from .clock import LabClock
from .jwt import SigningKey
from .ledger import SecretLedger
from .lifetimes import LifetimeSettings
from .scenario import GITHUB_ISSUER

DEFAULT_CLAIMS = {
    "repository": "acme/infrastructure",
    "repository_owner": "acme",
    "repository_owner_id": "1000001",
    "repository_id": "2000002",
    "repository_visibility": "private",
    "ref": "refs/heads/main",
    "ref_type": "branch",
    "sha": "0123456789abcdef0123456789abcdef01234567",
    "actor": "octocat",
    "actor_id": "3000003",
    "workflow": "terraform",
    "event_name": "push",
    "run_id": "4000004",
    "run_number": "1",
    "run_attempt": "1",
    "runner_environment": "github-hosted",
}


def subject(claims: dict) -> str:
    """GitHub's default `sub`: the environment when the job has one, else the ref."""
    repository = claims["repository"]
    if claims.get("environment"):
        return f"repo:{repository}:environment:{claims['environment']}"
    if claims.get("event_name") == "pull_request":
        return f"repo:{repository}:pull_request"
    return f"repo:{repository}:ref:{claims['ref']}"


class GithubIssuer:
    def __init__(self, clock: LabClock, ledger: SecretLedger, lifetimes: LifetimeSettings, claims: dict) -> None:
        self._clock = clock
        self._ledger = ledger
        self._lifetimes = lifetimes
        self._claims = {**DEFAULT_CLAIMS, **claims}
        self._lock = threading.Lock()
        self._request_tokens: dict[str, dict] = {}
        self.key = SigningKey()
        self.issuer = GITHUB_ISSUER

    def add_request_token(self, claims: dict, token: str = "") -> str:
        """A runner request token whose ID tokens carry `claims` over the scenario's claims."""
        token = self._ledger.record("github_request_token", token or secrets.token_urlsafe(32))
        with self._lock:
            self._request_tokens[token] = dict(claims)
        return token

    def claims_for(self, request_token: str) -> dict | None:
        with self._lock:
            overrides = self._request_tokens.get(request_token)
        return None if overrides is None else {**self._claims, **overrides}

    def jwks(self) -> dict:
        return {"keys": [self.key.jwk()]}

    def mint(self, audience: str, claims: dict, key: SigningKey | None = None) -> str:
        """An ID token for `audience` with the scenario's claims overridden by `claims`."""
        now = int(self._clock.time())
        merged = {**self._claims, **claims}
        body = {
            "jti": str(uuid.uuid4()),
            "sub": merged.get("sub") or subject(merged),
            "aud": audience,
            **{k: v for k, v in merged.items() if k != "sub"},
            "iss": merged.get("iss", self.issuer),
            "iat": merged.get("iat", now),
            "nbf": merged.get("nbf", now),
            "exp": merged.get("exp", now + self._lifetimes.get().github_jwt),
        }
        return self._ledger.record("jwt", (key or self.key).sign(body))
