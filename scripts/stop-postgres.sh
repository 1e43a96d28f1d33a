#!/usr/bin/env bash
# Stop a cluster started by scripts/start-postgres.sh DIR and remove DIR.
set -euo pipefail
dir="$1"
pg_ctl="$(command -v pg_ctl 2>/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl | head -n1)"
if [[ -d "$dir/data" ]]; then
  if [[ "$(id -u)" == "0" ]]; then
    runuser -u postgres -- "$pg_ctl" -D "$dir/data" -m fast stop >&2 || true
  else
    "$pg_ctl" -D "$dir/data" -m fast stop >&2 || true
  fi
fi
rm -rf "$dir"
