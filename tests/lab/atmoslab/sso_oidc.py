"""IAM Identity Center sign-in (SSO-OIDC): RegisterClient, StartDeviceAuthorization, CreateToken with the
device-code and refresh-token grants, and the lab's stand-in for the browser page that approves or denies
a device code as an SSO user. Issued access tokens are looked up by the SSO portal (`sso_portal`)."""

import dataclasses
import json
import secrets
import threading
import time
from urllib.parse import quote

from werkzeug.wrappers import Response

from .clock import LabClock
from .errors import oidc_error
from .ledger import SecretLedger
from .lifetimes import LifetimeSettings
from .scenario import Organization

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REFRESH_TOKEN_GRANT = "refresh_token"
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"


@dataclasses.dataclass
class Client:
    client_id: str
    client_secret: str
    grant_types: tuple[str, ...]
    expires_at: float


@dataclasses.dataclass
class DeviceAuthorization:
    device_code: str
    user_code: str
    client_id: str
    expires_at: float
    interval: int
    state: str = "pending"  # pending → approved | denied → redeemed
    user: str = ""
    last_poll: float = 0.0  # monotonic seconds


@dataclasses.dataclass
class AccessToken:
    user: str
    client_id: str
    expires_at: float
    refresh_token: str = ""


@dataclasses.dataclass
class RefreshToken:
    user: str
    client_id: str
    expires_at: float


def _now_seconds(clock: LabClock) -> int:
    return int(clock.time())


class SsoOidc:
    """Thread-safe; all expiry is measured on the lab clock, poll pacing on the real monotonic clock."""

    def __init__(self, organization: Organization, clock: LabClock, ledger: SecretLedger, lifetimes: LifetimeSettings) -> None:
        self._organization = organization
        self._clock = clock
        self._ledger = ledger
        self._lifetimes = lifetimes
        self._lock = threading.Lock()
        self._clients: dict[str, Client] = {}
        self._devices: dict[str, DeviceAuthorization] = {}
        self._access_tokens: dict[str, AccessToken] = {}
        self._refresh_tokens: dict[str, RefreshToken] = {}
        self.endpoint = ""

    def _secret(self, kind: str, prefix: str, size: int) -> str:
        return self._ledger.record(kind, prefix + secrets.token_urlsafe(size))

    def register_client(self, body: dict) -> Response:
        if not body.get("clientName") or body.get("clientType") != "public":
            return oidc_error(400, "InvalidClientMetadataException", "invalid_client_metadata", "clientName is required and clientType must be public")
        grant_types = tuple(body.get("grantTypes") or (DEVICE_CODE_GRANT,))
        unsupported = [g for g in grant_types if g not in (DEVICE_CODE_GRANT, REFRESH_TOKEN_GRANT, "authorization_code")]
        if unsupported:
            return oidc_error(400, "UnsupportedGrantTypeException", "unsupported_grant_type", f"Unsupported grant type: {unsupported[0]}")
        now = _now_seconds(self._clock)
        client = Client(
            client_id=secrets.token_urlsafe(16),
            client_secret=self._secret("client_secret", "eyJraWQiOiJrZXktMTU2", 300),
            grant_types=grant_types,
            expires_at=now + self._lifetimes.get().client_registration,
        )
        with self._lock:
            self._clients[client.client_id] = client
        return _json(
            {
                "clientId": client.client_id,
                "clientSecret": client.client_secret,
                "clientIdIssuedAt": now,
                "clientSecretExpiresAt": int(client.expires_at),
            }
        )

    def _client(self, body: dict) -> Client | Response:
        with self._lock:
            client = self._clients.get(body.get("clientId", ""))
        if client is None or not secrets.compare_digest(client.client_secret, body.get("clientSecret", "")):
            return oidc_error(401, "InvalidClientException", "invalid_client", "Invalid client provided")
        if client.expires_at <= self._clock.time():
            return oidc_error(401, "InvalidClientException", "invalid_client", "Client registration has expired")
        return client

    def start_device_authorization(self, body: dict) -> Response:
        client = self._client(body)
        if isinstance(client, Response):
            return client
        if body.get("startUrl") != self._organization.sso_start_url:
            return oidc_error(400, "InvalidRequestException", "invalid_request", "Invalid start URL")
        lifetimes = self._lifetimes.get()
        user_code = "-".join("".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(4)) for _ in range(2))
        device = DeviceAuthorization(
            device_code=self._secret("device_code", "", 48),
            user_code=user_code,
            client_id=client.client_id,
            expires_at=self._clock.time() + lifetimes.device_authorization,
            interval=lifetimes.device_poll_interval,
        )
        with self._lock:
            self._devices[device.device_code] = device
        verification_uri = f"{self.endpoint}/_lab/device"
        return _json(
            {
                "deviceCode": device.device_code,
                "userCode": user_code,
                "verificationUri": verification_uri,
                "verificationUriComplete": f"{verification_uri}?user_code={quote(user_code)}",
                "expiresIn": lifetimes.device_authorization,
                "interval": device.interval,
            }
        )

    def create_token(self, body: dict) -> Response:
        client = self._client(body)
        if isinstance(client, Response):
            return client
        grant_type = body.get("grantType", "")
        if grant_type not in (DEVICE_CODE_GRANT, REFRESH_TOKEN_GRANT):
            return oidc_error(400, "UnsupportedGrantTypeException", "unsupported_grant_type", f"Unsupported grant type: {grant_type}")
        if grant_type not in client.grant_types:
            return oidc_error(400, "UnauthorizedClientException", "unauthorized_client", f"Client is not authorized to use grant type {grant_type}")
        if grant_type == DEVICE_CODE_GRANT:
            return self._redeem_device_code(client, body.get("deviceCode", ""))
        return self._redeem_refresh_token(client, body.get("refreshToken", ""))

    def _redeem_device_code(self, client: Client, device_code: str) -> Response:
        with self._lock:
            device = self._devices.get(device_code)
            if device is None or device.client_id != client.client_id or device.state == "redeemed":
                return oidc_error(400, "InvalidGrantException", "invalid_grant", "Invalid device code provided")
            if device.expires_at <= self._clock.time():
                return oidc_error(400, "ExpiredTokenException", "expired_token", "Device code has expired")
            if device.state == "denied":
                return oidc_error(400, "AccessDeniedException", "access_denied", "Access denied")
            if device.state == "pending":
                polled_at, device.last_poll = device.last_poll, time.monotonic()
                if polled_at and device.last_poll - polled_at < device.interval / 2:
                    return oidc_error(400, "SlowDownException", "slow_down", "Client is polling too quickly")
                return oidc_error(400, "AuthorizationPendingException", "authorization_pending", "Authorization is still pending")
            device.state = "redeemed"
        return self._issue(client, device.user)

    def _redeem_refresh_token(self, client: Client, refresh_token: str) -> Response:
        with self._lock:
            grant = self._refresh_tokens.get(refresh_token)
            if grant is None or grant.client_id != client.client_id or grant.expires_at <= self._clock.time():
                return oidc_error(400, "InvalidGrantException", "invalid_grant", "Invalid refresh token provided")
            del self._refresh_tokens[refresh_token]
            for token in self._access_tokens.values():
                if token.refresh_token == refresh_token:
                    token.refresh_token = ""
        return self._issue(client, grant.user)

    def _issue(self, client: Client, user: str) -> Response:
        lifetimes = self._lifetimes.get()
        now = self._clock.time()
        access_token = self._secret("sso_access_token", "aoa", 180)
        response = {"accessToken": access_token, "tokenType": "Bearer", "expiresIn": lifetimes.sso_access_token}
        token = AccessToken(user, client.client_id, now + lifetimes.sso_access_token)
        with self._lock:
            if REFRESH_TOKEN_GRANT in client.grant_types:
                token.refresh_token = self._secret("sso_refresh_token", "aor", 180)
                self._refresh_tokens[token.refresh_token] = RefreshToken(user, client.client_id, now + lifetimes.sso_refresh_token)
                response["refreshToken"] = token.refresh_token
            self._access_tokens[access_token] = token
        return _json(response)

    def decide(self, user_code: str, user: str, approve: bool) -> Response:
        """The browser step: approve the pending device code as `user` (default user when empty) or deny it."""
        user = user or self._organization.sso_default_user
        if approve and user not in self._organization.sso_users:
            return Response(f"unknown SSO user {user}\n", status=400, content_type="text/plain")
        with self._lock:
            device = next((d for d in self._devices.values() if d.user_code == user_code), None)
            if device is None or device.state != "pending" or device.expires_at <= self._clock.time():
                return Response("no pending authorization for this code\n", status=404, content_type="text/plain")
            device.state, device.user = ("approved", user) if approve else ("denied", "")
        verdict = f"approved as {user}" if approve else "denied"
        return Response(f"Request {verdict}. You can close this window.\n", status=200, content_type="text/plain")

    def user_of(self, access_token: str) -> str | None:
        """The SSO user an access token belongs to, or None when it is unknown, expired or logged out."""
        with self._lock:
            token = self._access_tokens.get(access_token)
        if token is None or token.expires_at <= self._clock.time():
            return None
        return token.user

    def logout(self, access_token: str) -> bool:
        with self._lock:
            token = self._access_tokens.pop(access_token, None)
            if token is not None and token.refresh_token:
                self._refresh_tokens.pop(token.refresh_token, None)
        return token is not None


def _json(document: dict) -> Response:
    return Response(json.dumps(document), status=200, content_type="application/json")
