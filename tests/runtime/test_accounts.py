"""Accounts and API keys: hashing, verification, expiry, revocation, last use; on a real nats-server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import nats
import pytest

from contracts import topology
from contracts.envelope import utcnow
from runtime.accounts import (
    LAST_USE_EVERY,
    AccountError,
    Accounts,
    check_name,
    hash_password,
    key_matches,
    new_key,
    password_matches,
    secret_digest,
    split_key,
)
from runtime.messaging import open_bucket


def test_a_key_is_shown_once_and_stored_only_as_a_hash() -> None:
    now = utcnow()
    stored, key = new_key(now, expires_days=30)
    key_id, secret = split_key(key)
    assert key.startswith("mirage_") and key_id == stored.key_id and len(secret) >= 43
    assert stored.secret_sha256 == secret_digest(secret) and secret not in stored.model_dump_json()
    assert key_matches(stored, secret) and not key_matches(stored, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    assert stored.expires_at == now + timedelta(days=30) and stored.state_at(now) == "active"
    assert stored.state_at(now + timedelta(days=30)) == "expired"
    assert stored.model_copy(update={"revoked_at": now}).state_at(now) == "revoked"
    assert new_key(now, expires_days=None)[0].expires_at is None


@pytest.mark.parametrize("text", ["", "mirage_", "mirage_abc_def", "sk_0123456789ab_secret", "mirage_0123456789ab_", "Bearer x"])
def test_what_is_not_a_key(text: str) -> None:
    assert split_key(text) is None


def test_names_are_plain_and_not_reserved() -> None:
    assert check_name("j-dupont_2") == "j-dupont_2"
    for name in ("", "Alice", "key.x", "a b", "local", "mirage", "-x", "x" * 65):
        with pytest.raises(AccountError):
            check_name(name)


def test_passwords_are_kept_as_scrypt_hashes() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    assert password_matches(stored, "correct horse") and not password_matches(stored, "correct horse!")
    assert not password_matches(None, "x") and not password_matches("garbage", "x")


@pytest.fixture
async def accounts(nats_server) -> AsyncIterator[Accounts]:  # noqa: ANN001
    nc = await nats.connect(nats_server.url)
    try:
        yield Accounts(await open_bucket(nc.jetstream(), topology.ACCOUNTS_BUCKET))
    finally:
        await nc.close()


async def test_add_authenticate_revoke(accounts: Accounts) -> None:
    assert not await accounts.any_exist() and await accounts.list_all() == []
    issued = await accounts.add("alice", "reviewer", expires_days=365)
    assert await accounts.any_exist()
    assert issued.key.startswith(f"mirage_{issued.key_id}_")
    assert (await accounts.authenticate(issued.key)).name == "alice"
    assert (await accounts.authenticate(f"  {issued.key} ")).role == "reviewer"
    assert await accounts.authenticate(issued.key[:-2]) is None
    assert await accounts.authenticate("mirage_0123456789ab_nothing") is None
    assert await accounts.authenticate("not a key") is None

    with pytest.raises(AccountError, match="exists"):
        await accounts.add("alice", "admin")
    with pytest.raises(AccountError, match="role"):
        await accounts.add("bob", "superuser")
    second = await accounts.issue_key("alice", expires_days=None)
    assert (await accounts.authenticate(second.key)).name == "alice"

    assert await accounts.revoke("alice", issued.key_id) == [issued.key_id]
    assert await accounts.authenticate(issued.key) is None
    assert (await accounts.authenticate(second.key)).name == "alice"
    assert await accounts.revoke("alice") == [second.key_id]
    assert await accounts.authenticate(second.key) is None
    assert await accounts.revoke("alice") == []
    with pytest.raises(AccountError):
        await accounts.revoke("nobody")
    with pytest.raises(AccountError):
        await accounts.revoke("alice", "ffffffffffff")
    with pytest.raises(AccountError):
        await accounts.issue_key("nobody")

    [alice] = await accounts.list_all()
    assert [k.state_at(utcnow()) for k in alice.keys] == ["revoked", "revoked"]
    assert all(k.revoked_at is not None for k in alice.keys)


async def test_an_expired_key_is_refused(accounts: Accounts) -> None:
    issued = await accounts.add("carol", "asker", expires_days=1)
    assert await accounts.authenticate(issued.key) is not None
    assert await accounts.authenticate(issued.key, now=utcnow() + timedelta(days=1, seconds=1)) is None


async def test_last_use_is_written_at_most_once_a_minute(accounts: Accounts) -> None:
    issued = await accounts.add("dave", "auditor")
    start = utcnow()
    revision = lambda: accounts.kv.get("dave")  # noqa: E731
    await accounts.authenticate(issued.key, now=start)
    first = await revision()
    for seconds in (1, 10, 59):
        await accounts.authenticate(issued.key, now=start + timedelta(seconds=seconds))
    assert (await revision()).revision == first.revision
    await accounts.authenticate(issued.key, now=start + LAST_USE_EVERY)
    assert (await revision()).revision > first.revision
    [dave] = await accounts.list_all()
    assert dave.keys[0].last_used_at == start + LAST_USE_EVERY


async def test_a_password_can_be_set_for_the_login_page(accounts: Accounts) -> None:
    await accounts.add("erin", "reviewer")
    await accounts.set_password("erin", "a long passphrase")
    assert password_matches((await accounts.get("erin")).password_hash, "a long passphrase")
