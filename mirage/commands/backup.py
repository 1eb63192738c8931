"""`mirage backup` and `mirage restore`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from mirage.commands.common import NatsUrlOption, console, progress_bars, settings_from


def backup(
    to: Annotated[Optional[Path], typer.Option("--to", file_okay=False, help="Where backups go (env MIRAGE_BACKUP_DIR; default backups/).")] = None,
    verify: Annotated[Optional[str], typer.Option("--verify", metavar="NAME", help="Check a backup instead: the checksums, then every "
                                                  "snapshot restored into a throwaway nats-server and counted, the audit chain.")] = None,
    keep: Annotated[Optional[int], typer.Option(min=1, help="Then delete the oldest backups beyond the newest N (default: keep all).")] = None,
    nats_url: NatsUrlOption = None,
    data_dir: Annotated[Optional[Path], typer.Option(help="Data directory of a running or stopped `mirage up` (env MIRAGE_DATA_DIR; "
                                                          "default .mirage).")] = None,
) -> None:
    """Back up MIRAGE while it runs: every stream, bucket and uploaded file (JetStream snapshots, consumers included), the
    audit trail as JSON lines, a manifest with a SHA-256 per file, into backups/mirage-<UTC time>/. The vector index is not
    copied: `mirage restore` rebuilds it from the uploaded bytes."""
    from mirage.backup import BackupError, BarSteps, backup_root, backup_table, find_backup, prune, run_backup, verify_backup

    root = backup_root(to)
    try:
        with progress_bars(quiet=False) as bars:
            if verify is None:
                folder = run_backup(settings_from(data_dir=data_dir), nats_url, root, BarSteps(bars))
            else:
                check = verify_backup(find_backup(verify, root), BarSteps(bars))
    except BackupError as exc:
        console.print(f"[red]{exc}[/]", soft_wrap=True)
        raise typer.Exit(1) from exc
    if verify is None:
        console.print(backup_table(folder))
        for gone in prune(root, keep) if keep else []:
            console.print(f"deleted the older backup {gone.name} (--keep {keep})")
        return
    for problem in check.problems:
        console.print(f"[red]{problem}[/]", soft_wrap=True)
    if check.ok:
        console.print(f"[green]{check.folder.name} is sound[/]: every checksum matches, {len(check.restored)} snapshots restore with the "
                      "recorded messages, the audit chain verifies", soft_wrap=True)
    raise typer.Exit(0 if check.ok else 1)


def restore(
    name: Annotated[str, typer.Argument(help="A backup: its folder under the backup directory (`ls -la backups/`), or a path.")],
    from_dir: Annotated[Optional[Path], typer.Option("--from", file_okay=False,
                                                     help="Where the backups are (env MIRAGE_BACKUP_DIR; default backups/).")] = None,
    data_dir: Annotated[Optional[Path], typer.Option(help="Data directory to restore into (env MIRAGE_DATA_DIR; default .mirage); "
                                                          "with NATS_URL (compose), that NATS and QDRANT_URL.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Replace what is there already (streams, vector index).")] = False,
) -> None:
    """Restore a backup into a stopped MIRAGE: check it, restore every stream, re-index every document; then `mirage up`."""
    from mirage.backup import BackupError, BarSteps, backup_root, find_backup, restore_table, run_restore

    try:
        folder = find_backup(name, backup_root(from_dir))
        with progress_bars(quiet=False) as bars:
            report = run_restore(folder, settings_from(data_dir=data_dir), yes, steps=BarSteps(bars))
    except BackupError as exc:
        console.print(f"[red]{exc}[/]", soft_wrap=True)
        raise typer.Exit(1) from exc
    console.print(restore_table(report))
    for document, why in report.failed.items():
        console.print(f"[yellow]not searchable[/]: {document[:16]}: {why}", soft_wrap=True)
    raise typer.Exit(1 if report.failed else 0)
