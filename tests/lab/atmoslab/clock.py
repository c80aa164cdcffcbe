"""The lab's clock: real UTC time plus an offset that tests shift to age tokens and signatures."""

import datetime
import threading
import time


class LabClock:
    """Thread-safe; every time-dependent check in the lab (signature skew, TOTP, JWT, token and
    credential expiry) reads this clock, never the system clock directly."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset

    def shift(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds

    def set_offset(self, seconds: float) -> None:
        with self._lock:
            self._offset = seconds

    def time(self) -> float:
        return time.time() + self.offset

    def now(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.time(), tz=datetime.timezone.utc)

    def naive_utcnow(self) -> datetime.datetime:
        """moto stores naive UTC datetimes; this is the lab time in that form."""
        return self.now().replace(tzinfo=None)
