"""`mirage users add | key | list | revoke` as an operator runs them, against a running MIRAGE's NATS (found by --data-dir)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mirage.cli import app
from mirage.users import open_accounts

KEY = re.compile(r"^mirage_[0-9a-f]{12}_\S+$", re.MULTILINE)


@pytest.mark.parametrize("command", [["users"], ["users", "add"], ["users", "key"], ["users", "list"], ["users", "revoke"]])
def test_every_users_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def authenticate(url: str, key: str):  # noqa: ANN201
    async def run():  # noqa: ANN202
        async with open_accounts(url) as accounts:
            return await accounts.authenticate(key)

    return asyncio.run(run())


def test_add_list_revoke(nats_server, tmp_path: Path) -> None:  # noqa: ANN001
    runner, env = CliRunner(), {"NATS_URL": None, "MIRAGE_NATS_URL": None}
    where = ["--data-dir", str(tmp_path)]  # the fixture's server keeps its url file in tmp_path/nats, as `mirage up` does
    added = runner.invoke(app, ["users", "add", "alice", "--role", "reviewer", *where], env=env)
    assert added.exit_code == 0, added.output
    key = KEY.search(added.output).group(0)
    assert "Authorization: Bearer " + key in added.output and "shown only now" in added.output
    assert authenticate(nats_server.url, key).role == "reviewer"

    again = runner.invoke(app, ["users", "add", "alice", "--role", "admin", "--nats-url", nats_server.url])
    assert again.exit_code == 1 and "exists" in again.output
    wrong = runner.invoke(app, ["users", "add", "bob", "--role", "root", "--nats-url", nats_server.url])
    assert wrong.exit_code == 1 and "unknown role" in wrong.output

    second = runner.invoke(app, ["users", "key", "alice", "--expires-days", "0", "--nats-url", nats_server.url])
    assert second.exit_code == 0 and "never expires" in second.output
    second_key = KEY.search(second.output).group(0)

    listed = runner.invoke(app, ["users", "list", "--nats-url", nats_server.url], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and "alice" in listed.output and "reviewer" in listed.output
    assert listed.output.count("active") == 2 and key.split("_", 2)[2] not in listed.output  # the secret may hold "_" itself

    key_id = key.split("_")[1]
    revoked = runner.invoke(app, ["users", "revoke", "alice", "--key", key_id, "--nats-url", nats_server.url])
    assert revoked.exit_code == 0 and key_id in revoked.output
    assert authenticate(nats_server.url, key) is None and authenticate(nats_server.url, second_key) is not None
    assert runner.invoke(app, ["users", "revoke", "alice", "--nats-url", nats_server.url]).exit_code == 0
    assert authenticate(nats_server.url, second_key) is None
    listed = runner.invoke(app, ["users", "list", "--nats-url", nats_server.url], env={"COLUMNS": "200"})
    assert listed.output.count("revoked") == 2


def test_no_running_mirage(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["users", "list", "--data-dir", str(tmp_path / "elsewhere")], env={"NATS_URL": None, "MIRAGE_NATS_URL": None})
    assert result.exit_code != 0 and "no running `mirage up`" in result.output


def test_the_client_commands_send_the_key_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from mirage.users import client_headers

    monkeypatch.delenv("MIRAGE_API_KEY", raising=False)
    assert client_headers() == {}
    monkeypatch.setenv("MIRAGE_API_KEY", " mirage_0123456789ab_secret \n")
    assert client_headers() == {"Authorization": "Bearer mirage_0123456789ab_secret"}
