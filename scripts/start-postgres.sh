#!/usr/bin/env bash
# Start a throw-away PostgreSQL cluster for the tests and print its SQLAlchemy URL on stdout.
#
#   url=$(scripts/start-postgres.sh [DIR])      # DIR: where the cluster lives (default: mktemp)
#   pg_ctl -D DIR/data stop                     # (as the same user) to stop it
#
# Finds initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin. PostgreSQL refuses to run as
# root, so as root the cluster is run by the `postgres` user (created if missing) via runuser.
# Listens on 127.0.0.1 (a free port) and a unix socket in DIR; trust auth, loopback only.
set -euo pipefail

dir="${1:-$(mktemp -d /tmp/cds-pg.XXXXXX)}"
mkdir -p "$dir"

find_bin() {
  local name="$1" candidate
  if candidate="$(command -v "$name" 2>/dev/null)"; then echo "$candidate"; return 0; fi
  for candidate in /usr/lib/postgresql/*/bin/"$name"; do
    if [[ -x "$candidate" ]]; then echo "$candidate"; return 0; fi
  done
  return 1
}

initdb="$(find_bin initdb)" || { echo "initdb not found (install the postgresql package)" >&2; exit 1; }
pg_ctl="$(find_bin pg_ctl)" || { echo "pg_ctl not found" >&2; exit 1; }
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"

run_as=()
if [[ "$(id -u)" == "0" ]]; then
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir "$dir" --shell /bin/bash postgres
  fi
  chown -R postgres "$dir"
  if command -v runuser >/dev/null 2>&1; then
    run_as=(runuser -u postgres --)
  else
    run_as=(su postgres -s /bin/bash -c)
  fi
fi

run() {
  if [[ ${#run_as[@]} -eq 0 ]]; then
    "$@"
  elif [[ "${run_as[0]}" == "runuser" ]]; then
    "${run_as[@]}" "$@"
  else
    "${run_as[@]}" "$(printf '%q ' "$@")"
  fi
}

run "$initdb" -D "$dir/data" -U cds --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
run "$pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" start >&2 \
  || { cat "$dir/postgres.log" >&2; exit 1; }

echo "PostgreSQL running: data $dir/data, log $dir/postgres.log; stop with: ${run_as[*]} $pg_ctl -D $dir/data stop" >&2
echo "postgresql+psycopg://cds@127.0.0.1:$port/postgres"
