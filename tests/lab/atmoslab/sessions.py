"""Per-user session credentials minted by the lab's GetSessionToken (moto only returns fixed examples).

Each session's access key id comes from moto's IAM backend of the user's account, so moto maps requests
signed with it to that account; `motofixes` then resolves the key to the session's IAM user."""

import dataclasses
import datetime
import secrets
import threading

from moto.iam.models import iam_backends

from .clock import LabClock
from .ledger import SecretLedger


@dataclasses.dataclass(frozen=True)
class UserSession:
    access_key_id: str
    secret_access_key: str
    session_token: str
    account_id: str
    user_name: str
    expiration: datetime.datetime  # aware UTC
    mfa_authenticated: bool
    task_policy: dict | None = None  # set for AssumeRoot sessions: the account's root, scoped by this policy


class UserSessions:
    def __init__(self, clock: LabClock, ledger: SecretLedger) -> None:
        self._clock = clock
        self._ledger = ledger
        self._lock = threading.Lock()
        self._by_key: dict[str, UserSession] = {}

    def mint(
        self, account_id: str, user_name: str, duration_seconds: int, mfa_authenticated: bool, task_policy: dict | None = None
    ) -> UserSession:
        key = iam_backends[account_id]["aws"].create_temp_access_key()
        session = UserSession(
            access_key_id=key.access_key_id,
            secret_access_key=key.secret_access_key,
            session_token=self._ledger.record("session_token", "IQoJb3JpZ2luX2VjE" + secrets.token_urlsafe(180)),
            account_id=account_id,
            user_name=user_name,
            expiration=self._clock.now() + datetime.timedelta(seconds=duration_seconds),
            mfa_authenticated=mfa_authenticated,
            task_policy=task_policy,
        )
        with self._lock:
            self._by_key[session.access_key_id] = session
        return session

    def find(self, access_key_id: str) -> UserSession | None:
        with self._lock:
            return self._by_key.get(access_key_id)
