"""Who is calling: each route declares the roles it accepts (`requires(...)`) and receives the caller as an Actor.

On a laptop (the gateway bound to a loopback address and no account created yet) every caller is the local
user, with every role, so the runbook's calls work as written. Anywhere else, and as soon as an account exists,
each request carries `Authorization: Bearer <key>` (`mirage users add NAME --role ROLE` makes one). The reviewer's
page (`requires(..., page=True)`) also accepts its signed session cookie, opened with a key or a password.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from nats.errors import Error as NatsError

from contracts import topology
from contracts.envelope import utcnow
from contracts.review import Actor, Role
from gateway.errors import ApiError
from gateway.pages.sessions import COOKIE, Session, Sessions, load_secret, password_fingerprint
from runtime.accounts import Account, Accounts, split_key
from runtime.messaging import open_bucket
from runtime.process import Runtime

log = logging.getLogger(__name__)

LOCAL_USER = Actor(name="local", role="admin", authenticated_by="local_mode")
# Who may do what (admin always may). Every role reads documents, searches, reads answers and figures; askers and
# reviewers ask questions (an auditor only reads); uploads and deletions change what every answer cites: admins.
EVERYONE: tuple[Role, ...] = ("asker", "reviewer", "auditor")
ASKERS: tuple[Role, ...] = ("asker", "reviewer")
ADMINS: tuple[Role, ...] = ("admin",)
LOCAL_RECHECK_S = 1.0  # in local mode, how often to look whether an account was created since
bearer = HTTPBearer(auto_error=False, description="A personal API key: `mirage users add NAME --role ROLE` prints it once.")
CHALLENGE = {"WWW-Authenticate": "Bearer"}


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Access:
    """Which callers get in: everyone as the local user, or the holders of an active API key."""

    def __init__(self, accounts: Accounts, host: str, recheck_s: float = LOCAL_RECHECK_S) -> None:
        self.accounts, self.host, self.recheck_s = accounts, host, recheck_s
        self.loopback = is_loopback(host)
        self.keys_required = not self.loopback  # once keys are required they stay so: accounts are never deleted
        self._checked_at = float("-inf")

    async def refresh(self) -> bool:
        """Whether keys are required; in local mode, looks again (at most every `recheck_s`) for a first account."""
        if not self.keys_required and time.monotonic() - self._checked_at >= self.recheck_s:
            self._checked_at = time.monotonic()
            if await self.accounts.any_exist():
                self.keys_required = True
                log.warning("access: an account exists now, so API keys are required from here on")
        return self.keys_required

    async def describe(self) -> str:
        try:
            return await self._describe()
        except Exception as exc:  # /health reports NATS itself; this field must not turn it into a 500
            return f"unknown: the accounts bucket did not answer ({type(exc).__name__})"

    async def _describe(self) -> str:
        if not await self.refresh():
            return f"local single-user mode (no account, bound to {self.host}): every caller is the local admin"
        if not await self.accounts.any_exist():
            return (f"api keys (bound to {self.host}, not a loopback address) but no account exists yet: nobody can call anything "
                    "but /health; create an account with `mirage users add NAME --role admin`")
        return "api keys: send `Authorization: Bearer <key>`"

    async def caller(self, credentials: HTTPAuthorizationCredentials | None) -> Actor:
        try:
            if not await self.refresh():
                return LOCAL_USER
            if credentials is None:
                raise ApiError(401, "unauthorized", "send your API key as `Authorization: Bearer <key>` "
                               "(an admin makes one with `mirage users add NAME --role ROLE`)", headers=CHALLENGE)
            account = await self.accounts.authenticate(credentials.credentials)
        except (OSError, NatsError) as exc:
            raise ApiError(503, "accounts_unavailable", f"the accounts bucket did not answer ({type(exc).__name__}); try again") from exc
        if account is None:
            parts = split_key(credentials.credentials)
            log.info("refused an API key (%s): unknown, expired or revoked", f"key id {parts[0]}" if parts else "not a MIRAGE key")
            raise ApiError(401, "unauthorized", "this API key is unknown, expired or revoked",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return actor_of(account)

    async def session_caller(self, session: Session) -> Actor | None:
        """Who a page session stands for, if it still holds: the key that opened it active, the password unchanged."""
        if session.name is None:
            return None
        try:
            account = await self.accounts.get(session.name)
        except (OSError, NatsError) as exc:
            raise ApiError(503, "accounts_unavailable", f"the accounts bucket did not answer ({type(exc).__name__}); try again") from exc
        kind, _, ref = session.via.partition(":")
        if account is None:
            return None
        if kind == "api_key":
            key = account.key(ref)
            holds = key is not None and key.state_at(utcnow()) == "active"
        else:
            holds = kind == "password" and account.password_hash is not None and password_fingerprint(account.password_hash) == ref
        return Actor(name=account.name, role=account.role, authenticated_by="session") if holds else None


class PageError(ApiError):
    """An ApiError met on a page route: a browser is sent to the login form (401) or shown why (403); a script gets the JSON."""


def sessions_of(app: FastAPI) -> Sessions:
    sessions = getattr(app.state, "sessions", None)
    if sessions is None:
        app.state.sessions = sessions = Sessions(load_secret(app.state.settings.data_dir))
    return sessions


def actor_of(account: Account) -> Actor:
    return Actor(name=account.name, role=account.role, authenticated_by="api_key")


async def open_access(runtime: Runtime) -> Access:
    """The gateway's access rule, announced in the log."""
    kv = await open_bucket(runtime.broker.connection.jetstream(), topology.ACCOUNTS_BUCKET, runtime.settings.jetstream_replicas)
    access = Access(Accounts(kv), runtime.settings.host)
    text = await access.describe()
    log.log(logging.WARNING if "nobody" in text else logging.INFO, "access: %s", text)
    return access


async def access_of(app: FastAPI) -> Access:
    access = getattr(app.state, "access", None)
    if access is None:
        app.state.access = access = await open_access(app.state.runtime)
    return access


def requires(*roles: Role, page: bool = False) -> Callable[..., Awaitable[Actor]]:
    """A FastAPI dependency: the caller, if one of `roles` (admin always is); else 401 (no valid key) or 403.

    `page`: a route of the reviewer's page, where a valid session cookie counts like a key (its forms carry a CSRF token).
    """
    allowed = tuple(dict.fromkeys((*roles, "admin")))

    async def caller(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Actor:
        try:
            access = await access_of(request.app)
            actor = None
            if page and credentials is None and (session := sessions_of(request.app).decode(request.cookies.get(COOKIE))) is not None:
                actor = await access.session_caller(session)
            actor = actor or await access.caller(credentials)
            if actor.role not in allowed:
                raise ApiError(403, "forbidden", f"{actor.name} is {article(actor.role)} {actor.role}; "
                               f"this needs the role {' or '.join(allowed)}")
        except ApiError as exc:
            if page and not isinstance(exc, PageError):
                raise PageError(exc.status, exc.code, exc.detail, headers=exc.headers, **exc.extra) from exc
            raise
        request.state.actor = actor
        return actor

    caller.roles = allowed  # type: ignore[attr-defined]
    return caller


def article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"
