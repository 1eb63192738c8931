"""The `mirage` command: assembled from mirage/commands/, one module per group of subcommands."""

from __future__ import annotations

import typer

from mirage.commands import asyncapi, audit, backup, bench, client, dead_letters, evaluate, replay, review, serve, users

app = typer.Typer(help="MIRAGE: questions answered from your own medical documents.", no_args_is_help=True,
                  context_settings={"help_option_names": ["-h", "--help"]})
for command in (serve.up, serve.gateway, serve.worker, client.ingest, client.search, client.ask):
    app.command()(command)
app.command("dead-letters")(dead_letters.dead_letters)
app.add_typer(audit.app, name="audit")
app.add_typer(replay.app, name="replay")
app.add_typer(review.app, name="review")
app.add_typer(users.app, name="users")
app.add_typer(evaluate.app, name="eval")
app.add_typer(bench.app, name="bench")
for command in (backup.backup, backup.restore, asyncapi.asyncapi):
    app.command()(command)

if __name__ == "__main__":
    app()
