"""How long the things the lab issues stay valid, in seconds; set by the scenario, changed at run time."""

import dataclasses
import threading


@dataclasses.dataclass
class Lifetimes:
    sso_access_token: int = 28800
    sso_refresh_token: int = 90 * 86400
    client_registration: int = 90 * 86400
    device_authorization: int = 600
    device_poll_interval: int = 1
    # 0 means "the permission set's session_duration".
    role_credentials: int = 0
    github_jwt: int = 300


class LifetimeSettings:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values = Lifetimes()

    def get(self) -> Lifetimes:
        with self._lock:
            return dataclasses.replace(self._values)

    def update(self, changes: dict) -> Lifetimes:
        """Applies `changes` (name → whole seconds); unknown names or negative values raise ValueError."""
        known = {field.name for field in dataclasses.fields(Lifetimes)}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown lifetime {name!r}; expected one of {', '.join(sorted(known))}")
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"lifetime {name!r} must be a non-negative integer number of seconds")
        with self._lock:
            self._values = dataclasses.replace(self._values, **changes)
            return dataclasses.replace(self._values)
