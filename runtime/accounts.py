"""People who may use MIRAGE: an account per person, with a role and API keys kept only as hashes.

The accounts bucket holds each account under its name, and `key.<key_id>` -> account name so that a key is
found without a scan. A key reads `mirage_<key_id>_<secret>`; only the SHA-256 of the secret is stored (the
secret is 256 random bits, so a slow hash adds nothing), and the key is shown once, when it is made.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError, NoKeysError
from nats.js.kv import KeyValue
from pydantic import BaseModel, ConfigDict, Field

from contracts.envelope import utcnow

PersonRole = Literal["asker", "reviewer", "auditor", "admin"]
ROLES: tuple[PersonRole, ...] = ("asker", "reviewer", "auditor", "admin")
KEY_PREFIX = "mirage_"
INDEX_PREFIX = "key."
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
RESERVED_NAMES = ("local", "mirage", "system")  # the local user and MIRAGE itself, as they appear in the audit trail
LAST_USE_EVERY = timedelta(minutes=1)  # last use is written at most this often per key, not on every request
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


class AccountError(ValueError):
    """A request about accounts that cannot be carried out (bad name, unknown account, name taken)."""


class ApiKey(BaseModel):
    model_config = ConfigDict(frozen=True)

    key_id: str
    secret_sha256: str = Field(description="Hex SHA-256 of the key's secret part; the key itself is never stored.")
    created_at: datetime
    expires_at: datetime | None = Field(default=None, description="None: never expires.")
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    def state_at(self, now: datetime) -> Literal["active", "expired", "revoked"]:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


class Account(BaseModel):
    """One person: a name, one role, their keys (and, for the reviewer's page, a password hash)."""

    model_config = ConfigDict(frozen=True)

    name: str
    role: PersonRole
    created_at: datetime
    keys: tuple[ApiKey, ...] = ()
    password_hash: str | None = Field(default=None, description="scrypt$n$r$p$salt$hash (hashlib.scrypt), for a login page.")

    def key(self, key_id: str) -> ApiKey | None:
        return next((k for k in self.keys if k.key_id == key_id), None)

    def with_key(self, key: ApiKey) -> Account:
        return self.model_copy(update={"keys": tuple(k for k in self.keys if k.key_id != key.key_id) + (key,)})


class IssuedKey(BaseModel):
    """A new key as its holder must receive it: the only time the whole key exists outside their hands."""

    model_config = ConfigDict(frozen=True)

    account: Account
    key_id: str
    key: str
    expires_at: datetime | None


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise AccountError(f"{name!r} is not an account name: use 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit")
    if name in RESERVED_NAMES:
        raise AccountError(f"{name!r} is reserved ({', '.join(RESERVED_NAMES)} name the local user and MIRAGE itself)")
    return name


def check_role(role: str) -> PersonRole:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    return role  # type: ignore[return-value]


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key(now: datetime, expires_days: float | None) -> tuple[ApiKey, str]:
    """A fresh key: (what is stored, the key to hand over once)."""
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    expires = now + timedelta(days=expires_days) if expires_days else None
    return ApiKey(key_id=key_id, secret_sha256=secret_digest(secret), created_at=now, expires_at=expires), f"{KEY_PREFIX}{key_id}_{secret}"


def split_key(key: str) -> tuple[str, str] | None:
    """(key_id, secret) of a key in the MIRAGE format, else None."""
    if not key.startswith(KEY_PREFIX):
        return None
    key_id, _, secret = key[len(KEY_PREFIX):].partition("_")
    if not re.fullmatch(r"[0-9a-f]{12}", key_id) or not secret:
        return None
    return key_id, secret


def key_matches(stored: ApiKey, secret: str) -> bool:
    return hmac.compare_digest(stored.secret_sha256, secret_digest(secret))


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return "$".join(("scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), base64.b64encode(salt).decode(), base64.b64encode(digest).decode()))


def password_matches(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(actual, expected)


class Accounts:
    """The accounts bucket: add people and keys, revoke keys, and tell who a key belongs to."""

    def __init__(self, kv: KeyValue) -> None:
        self.kv = kv

    async def any_exist(self) -> bool:
        """Whether an account was ever created (accounts are never deleted; their keys are revoked). One request."""
        return (await self.kv.status()).values > 0

    async def get(self, name: str) -> Account | None:
        try:
            entry = await self.kv.get(name)
        except KeyNotFoundError:
            return None
        return Account.model_validate_json(entry.value) if entry.value else None

    async def add(self, name: str, role: str, expires_days: float | None = 365, now: datetime | None = None) -> IssuedKey:
        """A new account with its first key; AccountError if the name is taken."""
        now = now or utcnow()
        key, secret = new_key(now, expires_days)
        account = Account(name=check_name(name), role=check_role(role), created_at=now, keys=(key,))
        await self.kv.put(INDEX_PREFIX + key.key_id, name.encode())
        try:
            await self.kv.create(name, account.model_dump_json().encode())
        except KeyWrongLastSequenceError:
            await self.kv.delete(INDEX_PREFIX + key.key_id)
            raise AccountError(f"an account named {name!r} exists; `mirage users key {name}` gives it a new key") from None
        return IssuedKey(account=account, key_id=key.key_id, key=secret, expires_at=key.expires_at)

    async def issue_key(self, name: str, expires_days: float | None = 365, now: datetime | None = None) -> IssuedKey:
        """Another key for an existing account (a replacement for a lost or revoked one)."""
        now = now or utcnow()
        if await self.get(name) is None:
            raise AccountError(f"no account named {name!r}; `mirage users add {name} --role ...` creates it")
        key, secret = new_key(now, expires_days)
        await self.kv.put(INDEX_PREFIX + key.key_id, name.encode())
        account = await self._change(name, lambda a: a.with_key(key))
        return IssuedKey(account=account, key_id=key.key_id, key=secret, expires_at=key.expires_at)

    async def revoke(self, name: str, key_id: str | None = None, now: datetime | None = None) -> list[str]:
        """Revoke one key of an account, or every key it has; the ids of the keys revoked now."""
        now = now or utcnow()
        account = await self.get(name)
        if account is None:
            raise AccountError(f"no account named {name!r}")
        if key_id is not None and account.key(key_id) is None:
            raise AccountError(f"{name} has no key {key_id!r} (`mirage users list` shows the key ids)")
        chosen = [k.key_id for k in account.keys if k.revoked_at is None and key_id in (None, k.key_id)]

        def revoked(a: Account) -> Account:
            for k in a.keys:
                if k.key_id in chosen and k.revoked_at is None:
                    a = a.with_key(k.model_copy(update={"revoked_at": now}))
            return a

        await self._change(name, revoked)
        return chosen

    async def set_password(self, name: str, password: str) -> None:
        hashed = hash_password(password)
        await self._change(name, lambda a: a.model_copy(update={"password_hash": hashed}))

    async def list_all(self) -> list[Account]:
        try:
            names = [k for k in await self.kv.keys() if not k.startswith(INDEX_PREFIX)]
        except NoKeysError:
            return []
        accounts = [await self.get(name) for name in sorted(names)]
        return [a for a in accounts if a is not None]

    async def authenticate(self, key: str, now: datetime | None = None) -> Account | None:
        """The account a key belongs to, if the key is known, active and not expired; its last use is noted
        (at most once a minute)."""
        now = now or utcnow()
        parts = split_key(key.strip())
        if parts is None:
            return None
        key_id, secret = parts
        try:
            name = (await self.kv.get(INDEX_PREFIX + key_id)).value
        except KeyNotFoundError:
            return None
        account = await self.get(name.decode()) if name else None
        stored = account.key(key_id) if account else None
        if account is None or stored is None or not key_matches(stored, secret) or stored.state_at(now) != "active":
            return None
        if stored.last_used_at is None or now - stored.last_used_at >= LAST_USE_EVERY:
            await self._note_use(account.name, key_id, now)
        return account

    async def _note_use(self, name: str, key_id: str, now: datetime) -> None:
        def used(a: Account) -> Account:
            k = a.key(key_id)
            if k is None or (k.last_used_at is not None and now - k.last_used_at < LAST_USE_EVERY):
                return a
            return a.with_key(k.model_copy(update={"last_used_at": now}))

        await self._change(name, used)

    async def _change(self, name: str, change: Callable[[Account], Account]) -> Account:
        """Apply `change` to the stored account with compare-and-set (again on a concurrent write)."""
        while True:
            try:
                entry = await self.kv.get(name)
            except KeyNotFoundError:
                raise AccountError(f"no account named {name!r}") from None
            after = change(Account.model_validate_json(entry.value))
            try:
                await self.kv.update(name, after.model_dump_json().encode(), last=entry.revision)
            except KeyWrongLastSequenceError:
                continue
            return after
