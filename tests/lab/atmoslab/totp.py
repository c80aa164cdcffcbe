"""RFC 6238 time-based one-time passwords (HMAC-SHA1, 30-second steps, 6 digits), as virtual MFA devices use."""

import base64
import hashlib
import hmac

STEP_SECONDS = 30


def code_at(base32_seed: str, unix_time: float) -> str:
    key = base64.b32decode(base32_seed.upper() + "=" * (-len(base32_seed) % 8))
    digest = hmac.new(key, int(unix_time // STEP_SECONDS).to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def accepts(base32_seed: str, code: str, unix_time: float) -> bool:
    """True when `code` is the code of the current step or of one step before or after it."""
    return any(
        hmac.compare_digest(code_at(base32_seed, unix_time + step * STEP_SECONDS), code) for step in (-1, 0, 1)
    )
