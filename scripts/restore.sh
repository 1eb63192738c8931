#!/usr/bin/env bash
# scripts/restore.sh [--compose] <backup_name> [mirage restore options]: restore a backup made by scripts/backup.sh into a
# stopped MIRAGE, then start it again (`scripts/mirage up`, or `docker compose up -d`). The backup is looked up in
# backups/ (MIRAGE_BACKUP_DIR, or --from DIR); the data directory as `mirage up` finds it: MIRAGE_DATA_DIR, default .mirage.
# It refuses while MIRAGE runs, and asks before replacing data that is there (--yes answers for you).
#   scripts/restore.sh mirage-20261129T214500Z
#   scripts/restore.sh --compose mirage-20261129T214500Z   # compose: NATS and Qdrant are started, the rest stays stopped
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
compose=""
if [ "${1:-}" = "--compose" ]; then
  compose=1
  shift
fi
if [ $# -lt 1 ] || [ "${1#-}" != "$1" ]; then
  echo "usage: scripts/restore.sh [--compose] <backup_name> [--yes] [--from DIR]" >&2
  echo "backups in ${MIRAGE_BACKUP_DIR:-backups}/:" >&2
  ls -1 "${MIRAGE_BACKUP_DIR:-backups}" 2>/dev/null | grep '^mirage-' >&2 || echo "  (none)" >&2
  exit 2
fi
name="$1"
shift
replace=()
for arg in "$@"; do [ "$arg" = "--yes" ] && replace=(--yes); done
if [ -z "$compose" ] && [ ${#replace[@]} -eq 0 ] && [ -t 0 ]; then
  data="${MIRAGE_DATA_DIR:-.mirage}"
  if [ -d "$data/nats/jetstream" ] || [ -d "$data/vectors" ]; then
    read -r -p "restore $name over the data in $data? It replaces what is there. [y/N] " answer
    case "$answer" in y|Y|yes) set -- "$@" --yes ;; *) echo "nothing restored" >&2; exit 1 ;; esac
  fi
fi
if [ -n "$compose" ]; then
  # The workers and the gateway must be stopped; NATS and Qdrant must run. The restore runs in the gateway's image, on the
  # compose network (Qdrant is not published), with the backups mounted read-only.
  backups="$(cd "${MIRAGE_BACKUP_DIR:-backups}" && pwd)"
  cd "$root"
  "$root/scripts/bootstrap.sh"
  workers="$("$root/.venv/bin/python" -c 'from contracts.chain import WORKERS; print(*WORKERS)')"
  # shellcheck disable=SC2086
  docker compose stop gateway $workers
  docker compose up -d --wait nats-1 nats-2 nats-3 qdrant redis
  exec docker compose run --rm --no-deps -v "$backups:/backups:ro" gateway mirage restore "$name" --from /backups --yes "$@"
fi
exec "$root/scripts/mirage" restore "$name" "$@"
