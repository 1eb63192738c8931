#!/usr/bin/env bash
# scripts/deploy.sh production|status|backup: the operations runbook's deployment calls, on compose.yaml.
#   production  build the image, start (or update) every service, wait for the gateway's /health, print each service's state
#   status      each service's state, then the gateway's /health (exit 1 when it is degraded or does not answer)
#   backup      scripts/backup.sh --compose (through the NATS port compose publishes), with any further arguments
# DRY_RUN=1 prints the commands instead of running them. MIRAGE_URL (http://localhost:8006): the gateway as seen from here;
# DEPLOY_WAIT_S (300): how long `production` waits for /health; COMPOSE ("docker compose"): the compose command.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

url="${MIRAGE_URL:-http://localhost:8006}"
wait_s="${DEPLOY_WAIT_S:-300}"
read -r -a compose <<<"${COMPOSE:-docker compose}"
compose+=(--file "$root/compose.yaml")
states=(ps --all --format "table {{.Service}}\t{{.State}}\t{{.Health}}\t{{.Status}}")

usage() {
  sed -n '2,7s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
  exit 2
}

run() {
  if [ "${DRY_RUN:-0}" = 1 ]; then
    printf '+'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}

# The gateway's /health: its JSON, then the HTTP status on a line of its own (200 healthy, 503 degraded, 000 no answer).
health() {
  run curl --silent --show-error --max-time 10 --write-out '\nHTTP %{http_code}\n' "$url/health"
}

wait_for_health() {
  if [ "${DRY_RUN:-0}" = 1 ]; then
    echo "# until it answers 200, every 5 s for at most ${wait_s} s:"
    run curl --silent --fail --max-time 5 --output /dev/null "$url/health"
    return 0
  fi
  local deadline=$((SECONDS + wait_s))
  until curl --silent --fail --max-time 5 --output /dev/null "$url/health"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "the gateway did not report healthy within ${wait_s} s; its /health says:" >&2
      health >&2 || true
      return 1
    fi
    sleep 5
  done
  echo "the gateway is healthy: $url/health"
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  production)
    [ $# -eq 0 ] || usage
    run mkdir -p "$root/backups/metrics"   # node-exporter's textfile directory, where the backup records its last success
    run "${compose[@]}" build
    run "${compose[@]}" up --detach --remove-orphans
    healthy=0
    wait_for_health || healthy=1
    run "${compose[@]}" "${states[@]}"
    exit "$healthy"
    ;;
  status)
    [ $# -eq 0 ] || usage
    run "${compose[@]}" "${states[@]}"
    if [ "${DRY_RUN:-0}" = 1 ]; then
      health
      exit 0
    fi
    out="$(health || true)"
    echo "$out"
    [ "$(tail -n 1 <<<"$out")" = "HTTP 200" ]
    ;;
  backup)
    if [ "${DRY_RUN:-0}" != 1 ] && [ ! -x "$root/scripts/backup.sh" ]; then
      echo "scripts/backup.sh is missing or not executable" >&2
      exit 1
    fi
    run "$root/scripts/backup.sh" --compose "$@"
    ;;
  *)
    usage
    ;;
esac
