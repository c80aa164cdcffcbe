"""Every secret the lab hands out, so tests can prove none of them leaked into logs or files."""

import threading


class SecretLedger:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[tuple[str, str]] = []

    def record(self, kind: str, value: str) -> str:
        """Remembers `value` as a secret of `kind` (e.g. "secret_access_key") and returns it."""
        if value:
            with self._lock:
                self._entries.append((kind, value))
        return value

    def entries(self) -> list[dict[str, str]]:
        with self._lock:
            return [{"kind": kind, "value": value} for kind, value in self._entries]
