"""Who may open the desk, and the one check every state-changing form needs.

Bound to a loopback address the desk is open to this machine. Bound anywhere else it
needs a token (TRACKER_DESK_TOKEN): a bearer header, or a login form that sets a cookie
holding a signature of the token (never the token). Without a token there, only /healthz
and /metrics are served. A POST carries a CSRF token matching its cookie (double submit),
and the cookies are SameSite=Strict, so another site cannot make a browser retry alerts.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from dataclasses import dataclass, field

TOKEN_VARIABLE = "TRACKER_DESK_TOKEN"  # noqa: S105 (a variable name, not a secret)
SESSION_COOKIE = "tracker_desk"
CSRF_COOKIE = "tracker_csrf"
CSRF_FIELD = "csrf"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class DeskAccess:
    """`token` None: no token asked (loopback only). `enabled` False: the desk is off."""

    enabled: bool
    token: str | None
    why_off: str = ""
    # Signs the session cookie: a token's own signature, so a restart keeps people in.
    _key: bytes = field(default=b"", repr=False)

    @classmethod
    def for_address(cls, host: str, token: str | None = None) -> DeskAccess:
        token = token if token is not None else os.environ.get(TOKEN_VARIABLE) or None
        if token:
            return cls(True, token, _key=hashlib.sha256(token.encode()).digest())
        if is_loopback(host):
            return cls(True, None)
        return cls(
            False,
            None,
            f"the desk pages are off: the endpoint listens on {host}, beyond this machine, "
            f"and {TOKEN_VARIABLE} is not set (set it to open the desk with that token)",
        )

    def host_allowed(self, host: str) -> bool:
        """With a token, any name; without one (loopback), only this machine's names."""
        return self.token is not None or is_loopback(host)

    def session_value(self) -> str:
        """What the login cookie holds: proof of the token, not the token."""
        return hmac.new(self._key, b"desk session", hashlib.sha256).hexdigest()

    def allows(self, authorization: str | None, cookie: str | None) -> bool:
        if self.token is None:
            return True
        if authorization and authorization.lower().startswith("bearer "):
            given = authorization[7:].strip()
            return hmac.compare_digest(given.encode(), self.token.encode())
        return cookie is not None and hmac.compare_digest(cookie, self.session_value())

    def token_matches(self, given: str) -> bool:
        return self.token is not None and hmac.compare_digest(given.encode(), self.token.encode())


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_matches(cookie: str | None, submitted: str | None) -> bool:
    return bool(cookie and submitted) and hmac.compare_digest(str(cookie), str(submitted))
