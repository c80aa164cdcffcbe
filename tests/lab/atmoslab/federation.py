"""Console federation (`signin.aws.amazon.com/federation`): getSigninToken exchanges live temporary role
credentials for a sign-in token; login redirects to the destination when given a valid token."""

import json
import secrets
import threading

from moto.iam.models import get_account_id_from
from moto.sts.models import sts_backends
from werkzeug.wrappers import Response

from .clock import LabClock
from .ledger import SecretLedger

SIGNIN_TOKEN_SECONDS = 15 * 60
CONSOLE = "https://console.aws.amazon.com/"


def _bad_request(message: str) -> Response:
    return Response(json.dumps({"message": message}), status=400, content_type="application/json")


class ConsoleFederation:
    def __init__(self, clock: LabClock, ledger: SecretLedger) -> None:
        self._clock = clock
        self._ledger = ledger
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str, float]] = {}  # signin token → (assumed-role ARN, expiry)

    def get_signin_token(self, args) -> Response:
        try:
            session = json.loads(args.get("Session", ""))
            key_id, secret, token = session["sessionId"], session["sessionKey"], session["sessionToken"]
        except (ValueError, KeyError, TypeError):
            return _bad_request("Session must be JSON with sessionId, sessionKey and sessionToken")
        account_id = get_account_id_from(key_id)
        assumed = sts_backends[account_id]["aws"].get_assumed_role_from_access_key(key_id)
        if (
            assumed is None
            or not secrets.compare_digest(assumed.secret_access_key, secret)
            or not secrets.compare_digest(assumed.session_token, token)
            or assumed.expiration <= self._clock.naive_utcnow()
        ):
            return _bad_request("The session credentials are invalid, expired or not from a role session")
        signin_token = self._ledger.record("signin_token", secrets.token_urlsafe(96))
        with self._lock:
            self._tokens[signin_token] = (assumed.arn, self._clock.time() + SIGNIN_TOKEN_SECONDS)
        return Response(json.dumps({"SigninToken": signin_token}), status=200, content_type="application/json")

    def login(self, args) -> Response:
        with self._lock:
            entry = self._tokens.get(args.get("SigninToken", ""))
        if entry is None or entry[1] <= self._clock.time():
            return _bad_request("The sign-in token is invalid or expired")
        return Response(b"", status=302, headers={"Location": args.get("Destination") or CONSOLE})
