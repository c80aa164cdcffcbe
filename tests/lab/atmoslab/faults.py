"""Per-operation call counters and injected faults (throttling, HTTP 500, delays, oversized answers).

Operations are named "<service>:<Operation>", e.g. "sso-oidc:StartDeviceAuthorization",
"sts:AssumeRole", "s3:PutObject"."""

import collections
import dataclasses
import threading

FAULT_KINDS = ("throttle", "error", "delay", "oversized")


@dataclasses.dataclass
class Fault:
    kind: str
    remaining: int
    delay_seconds: float = 0.0


class CallCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: collections.Counter[str] = collections.Counter()

    def record(self, operation: str) -> None:
        with self._lock:
            self._counts[operation] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


class FaultPlan:
    """Faults queued per operation; each call of that operation consumes one from the oldest fault."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, list[Fault]] = collections.defaultdict(list)

    def add(self, operation: str, kind: str, count: int, delay_seconds: float = 0.0) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._faults[operation].append(Fault(kind, count, delay_seconds))

    def take(self, operation: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(operation)
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining == 0:
                queue.pop(0)
            return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
