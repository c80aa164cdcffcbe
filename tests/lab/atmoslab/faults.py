"""Per-operation call counters and injected faults (throttling, HTTP 500, delays, oversized answers).

Operations are named "<service>:<Operation>", e.g. "sso-oidc:StartDeviceAuthorization",
"sts:AssumeRole", "s3:PutObject"."""

import collections
import dataclasses
import threading
import time

FAULT_KINDS = ("throttle", "error", "delay", "oversized")


@dataclasses.dataclass
class Fault:
    kind: str
    remaining: int
    delay_seconds: float = 0.0


class CallCounter:
    """`counts`: requests per operation as they arrive (faulted ones too). `seconds`: the lab's own time per
    operation, from arrival to the response's status line, summed over requests. `busy_seconds`: the wall time
    during which at least one request of the operation was being served (concurrent requests count once).
    `objects`: S3 object requests per operation,
    "<bucket>/<key>" and answered HTTP status, e.g. {"s3:GetObject": {"b/k": {"200": 1, "403": 2}}}.
    `callers`: the same requests per authenticated caller ARN (user or assumed-role session),
    e.g. {"s3:GetObject": {"b/k": {"arn:aws:sts::1:assumed-role/r/s": 3}}}."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: collections.Counter[str] = collections.Counter()
        self._seconds: collections.Counter[str] = collections.Counter()
        self._busy: collections.Counter[str] = collections.Counter()
        self._busy_since: dict[str, float] = {}
        self._in_flight: collections.Counter[str] = collections.Counter()
        self._objects: dict[str, dict[str, collections.Counter[str]]] = {}
        self._callers: dict[str, dict[str, collections.Counter[str]]] = {}

    def record(self, operation: str) -> float:
        """Counts an arriving request; returns its start time for record_answer/record_unanswered."""
        now = time.monotonic()
        with self._lock:
            self._counts[operation] += 1
            if self._in_flight[operation] == 0:
                self._busy_since[operation] = now
            self._in_flight[operation] += 1
        return now

    def record_unanswered(self, operation: str, started: float) -> None:
        """A request that ended without a status line (the server's error handler answered it)."""
        with self._lock:
            self._finish(operation, started, time.monotonic())

    def record_answer(self, operation: str, status: int, started: float, s3_object: str = "", caller: str = "") -> None:
        with self._lock:
            self._finish(operation, started, time.monotonic())
            if s3_object:
                per_object = self._objects.setdefault(operation, {})
                per_object.setdefault(s3_object, collections.Counter())[str(status)] += 1
            if s3_object and caller:
                per_object = self._callers.setdefault(operation, {})
                per_object.setdefault(s3_object, collections.Counter())[caller] += 1

    def _finish(self, operation: str, started: float, now: float) -> None:
        self._seconds[operation] += now - started
        self._in_flight[operation] -= 1
        if self._in_flight[operation] == 0:
            self._busy[operation] += now - self._busy_since.pop(operation)

    def snapshot(self) -> dict:
        now = time.monotonic()
        with self._lock:
            busy = collections.Counter(self._busy)
            for operation, since in self._busy_since.items():
                busy[operation] += now - since
            return {
                "counts": dict(self._counts),
                "seconds": {operation: round(total, 6) for operation, total in self._seconds.items()},
                "busy_seconds": {operation: round(total, 6) for operation, total in busy.items()},
                "objects": _nested(self._objects),
                "callers": _nested(self._callers),
            }

    def reset(self) -> None:
        """Starts counting afresh; requests in flight keep being tracked, their busy time counted from now."""
        now = time.monotonic()
        with self._lock:
            self._counts.clear()
            self._seconds.clear()
            self._busy.clear()
            self._busy_since = {operation: now for operation in self._busy_since}
            self._objects.clear()
            self._callers.clear()


def _nested(counts: dict[str, dict[str, collections.Counter[str]]]) -> dict:
    return {operation: {name: dict(counter) for name, counter in per_object.items()} for operation, per_object in counts.items()}


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
