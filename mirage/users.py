"""`mirage users`: the people who may use MIRAGE, their roles and API keys, in the accounts bucket of a running MIRAGE."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import nats

from contracts import topology
from contracts.envelope import utcnow
from runtime.accounts import Account, Accounts, IssuedKey
from runtime.messaging import open_bucket

T = TypeVar("T")
API_KEY_VARIABLE = "MIRAGE_API_KEY"


def client_headers() -> dict[str, str]:
    """What `mirage ingest`, `search` and `ask` send: the key in MIRAGE_API_KEY, if set (none is needed in local mode)."""
    key = os.environ.get(API_KEY_VARIABLE, "").strip()
    return {"Authorization": f"Bearer {key}"} if key else {}


@contextlib.asynccontextmanager
async def open_accounts(nats_url: str, replicas: int = 1) -> AsyncIterator[Accounts]:
    nc = await nats.connect([url.strip() for url in nats_url.split(",") if url.strip()])
    try:
        yield Accounts(await open_bucket(nc.jetstream(), topology.ACCOUNTS_BUCKET, replicas))
    finally:
        await nc.close()


def with_accounts(nats_url: str, replicas: int, action: Callable[[Accounts], Awaitable[T]]) -> T:
    async def run() -> T:
        async with open_accounts(nats_url, replicas) as accounts:
            return await action(accounts)

    return asyncio.run(run())


def day(moment: datetime | None, never: str = "never") -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else never


def issued_text(issued: IssuedKey, created: bool) -> str:
    """What the holder of a new key must be told, the one time the key is shown."""
    account = issued.account
    expires = f"expires {day(issued.expires_at)} UTC" if issued.expires_at else "never expires"
    return "\n".join((
        f"{'Created' if created else 'New key for'} {account.name} ({account.role}); key id {issued.key_id}, {expires}.",
        "The API key below is shown only now: hand it to its holder as you would a password.",
        "",
        issued.key,
        "",
        "Send it with every request:",
        f'  curl -H "Authorization: Bearer {issued.key}" http://127.0.0.1:8006/documents/stats',
        f"Revoke it with `mirage users revoke {account.name} --key {issued.key_id}`.",
    ))


def accounts_text(accounts: list[Account], now: datetime | None = None) -> str:
    """Each account, then its keys one a line: id, made, expires, last used, state (never a hash)."""
    now = now or utcnow()
    if not accounts:
        return ("no account yet: a gateway on 127.0.0.1 runs in local single-user mode, one on any other address lets nobody in; "
                "`mirage users add NAME --role admin` creates the first")
    lines = []
    for account in accounts:
        lines.append(f"{account.name}  {account.role}  since {date(account.created_at)}")
        lines.extend(f"  key {key.key_id}  made {date(key.created_at)}  expires {date(key.expires_at):10}  "
                     f"last used {day(key.last_used_at, '-'):16}  {key.state_at(now)}" for key in account.keys)
        if not account.keys:
            lines.append("  no key")
    return "\n".join(lines)


def date(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment else "never"


def revoked_text(name: str, revoked: list[str], key_id: str | None) -> str:
    if not revoked:
        return f"{name}: {'key ' + key_id + ' was' if key_id else 'every key was'} already revoked"
    return f"{name}: revoked {', '.join(revoked)}; requests with {'it' if len(revoked) == 1 else 'them'} now get 401"
