"""`mirage users`: accounts, roles and API keys."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from mirage.commands.common import DataDirOption, NatsUrlOption, console, operator_nats_url, settings_from

app = typer.Typer(help="People who may use MIRAGE: roles (asker, reviewer, auditor, admin) and API keys.", no_args_is_help=True)
ExpiresOption = Annotated[int, typer.Option(min=0, help="Days until the key expires (0: never).")]


def on_accounts(nats_url: str | None, data_dir: Path | None, action):  # noqa: ANN001, ANN201
    from mirage.users import with_accounts
    from runtime.accounts import AccountError

    try:
        return with_accounts(operator_nats_url(nats_url, data_dir), settings_from(data_dir=data_dir).jetstream_replicas, action)
    except AccountError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc


@app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The person's account name (lower-case letters, digits, - and _).")],
    role: Annotated[str, typer.Option(help="asker, reviewer, auditor or admin.")],
    expires_days: ExpiresOption = 365, nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Create an account and print its API key, this once (sent as `Authorization: Bearer <key>`)."""
    from mirage.users import issued_text

    print(issued_text(on_accounts(nats_url, data_dir, lambda accounts: accounts.add(name, role, expires_days or None)), created=True))


@app.command("key")
def users_key(
    name: Annotated[str, typer.Argument(help="An existing account.")],
    expires_days: ExpiresOption = 365, nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Give an account another API key (for a lost or revoked one) and print it, this once."""
    from mirage.users import issued_text

    print(issued_text(on_accounts(nats_url, data_dir, lambda accounts: accounts.issue_key(name, expires_days or None)), created=False))


@app.command("list")
def users_list(nats_url: NatsUrlOption = None, data_dir: DataDirOption = None) -> None:
    """Every account with its role and keys: created, expires, last used, active, expired or revoked."""
    from mirage.users import accounts_text

    print(accounts_text(on_accounts(nats_url, data_dir, lambda accounts: accounts.list_all())))


@app.command("revoke")
def users_revoke(
    name: Annotated[str, typer.Argument(help="The account whose keys to revoke.")],
    key: Annotated[Optional[str], typer.Option("--key", help="Only this key id (`mirage users list` shows them); default: every key.")] = None,
    nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Revoke an account's keys (all, or one): requests carrying them get 401 from then on."""
    from mirage.users import revoked_text

    print(revoked_text(name, on_accounts(nats_url, data_dir, lambda accounts: accounts.revoke(name, key)), key))


@app.command("passwd")
def users_passwd(
    name: Annotated[str, typer.Argument(help="An existing account.")], nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Set an account's password for the reviewer page's login form (/review/login), asked twice; stored as an scrypt hash."""
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        console.print("[red]use at least 10 characters[/]")
        raise typer.Exit(1)
    on_accounts(nats_url, data_dir, lambda accounts: accounts.set_password(name, password))
    print(f"{name}: password set; sessions opened with the previous password are closed")
