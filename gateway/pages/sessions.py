"""Signed, expiring session cookies for the reviewer's page, and the CSRF token bound to each session.

A cookie is `<payload>.<mac>`: the payload (JSON, base64url) says who, how they logged in and until when; the mac is
HMAC-SHA256 under a secret kept in the data directory (made on first use, mode 0600). Nothing is stored server-side:
the account is looked up again on every request, so revoking the key that opened a session, or changing the password,
ends it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

COOKIE = "mirage_session"
SECRET_FILE = "session.key"
LIFETIME_S = 8 * 3600  # a working day; the cookie ends with the browser session too
ANONYMOUS_LIFETIME_S = 3600  # the pre-login session that only carries the login form's CSRF token


@dataclass(frozen=True)
class Session:
    sid: str
    expires: float
    name: str | None = None  # None: nobody logged in yet (the login form's session)
    via: str = "anonymous"  # "anonymous", "api_key:<key id>" or "password:<fingerprint of the stored hash>"

    @property
    def anonymous(self) -> bool:
        return self.name is None


def password_fingerprint(password_hash: str) -> str:
    """Changes whenever the password does: a session opened with the old one stops counting."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def load_secret(data_dir: Path) -> bytes:
    """The signing secret of this data directory, made (256 random bits, owner-only) the first time."""
    path = Path(data_dir).expanduser() / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_bytes().strip()
        if len(secret) >= 32:
            return secret
        raise RuntimeError(f"{path} holds no usable session secret; delete it and a new one is made (everyone logs in again)") from None
    with os.fdopen(fd, "wb") as out:
        secret = secrets.token_hex(32).encode()
        out.write(secret)
    return secret


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sessions:
    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def _mac(self, purpose: str, data: str) -> str:
        return b64(hmac.new(self.secret, f"{purpose}:{data}".encode(), hashlib.sha256).digest())

    def new(self, name: str | None = None, via: str = "anonymous", lifetime_s: float | None = None) -> Session:
        lifetime = lifetime_s or (ANONYMOUS_LIFETIME_S if name is None else LIFETIME_S)
        return Session(sid=secrets.token_urlsafe(18), expires=time.time() + lifetime, name=name, via=via)

    def encode(self, session: Session) -> str:
        payload = b64(json.dumps({"sid": session.sid, "exp": int(session.expires), "name": session.name, "via": session.via},
                                 separators=(",", ":")).encode())
        return f"{payload}.{self._mac('session', payload)}"

    def decode(self, cookie: str | None) -> Session | None:
        """The session a cookie carries, if its signature holds and it has not expired."""
        if not cookie or cookie.count(".") != 1:
            return None
        payload, mac = cookie.split(".")
        if not hmac.compare_digest(mac, self._mac("session", payload)):
            return None
        try:
            data = json.loads(unb64(payload))
            session = Session(sid=str(data["sid"]), expires=float(data["exp"]), name=data["name"], via=str(data["via"]))
        except (ValueError, KeyError, TypeError):
            return None
        return session if session.expires > time.time() else None

    def csrf_token(self, session: Session) -> str:
        return self._mac("csrf", session.sid)

    def csrf_matches(self, session: Session | None, token: str | None) -> bool:
        return session is not None and bool(token) and hmac.compare_digest(self.csrf_token(session), token or "")
