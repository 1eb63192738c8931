#!/usr/bin/env bash
# scripts/backup.sh [--compose] [mirage backup options]: back up MIRAGE while it runs, into backups/mirage-<UTC time>/
# (MIRAGE_BACKUP_DIR or --to DIR for elsewhere). Finds the data directory as `mirage up` does: MIRAGE_DATA_DIR, default
# .mirage, relative to where you run it; NATS_URL for any other NATS.
#   scripts/backup.sh                       # the embedded `mirage up` (running or stopped)
#   scripts/backup.sh --compose             # the compose stack, through the NATS port it publishes (4222)
#   scripts/backup.sh --verify <backup_name>   # re-read a backup: checksums, every snapshot restored into a throwaway server
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "${1:-}" = "--compose" ]; then
  shift
  export NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"
fi
exec "$root/scripts/mirage" backup "$@"
