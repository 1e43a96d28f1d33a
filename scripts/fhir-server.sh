#!/usr/bin/env bash
# A real FHIR R4 server on loopback for the end-to-end tests and demos: sekmet-fhir (FastAPI +
# SQLite), installed on first use into its own virtualenv (it pins its own FastAPI/pydantic).
#
#   scripts/fhir-server.sh --install-only        install (or check) and exit
#   scripts/fhir-server.sh [PORT] [DATA_DIR]     start on 127.0.0.1:PORT (default 8090), print
#                                                the base URL, then run in the foreground
#
# Environment:
#   FHIR_VENV      virtualenv directory (default: <repo>/.fhir-venv, git-ignored by itself)
#   FHIR_TOKENS    comma-separated static bearer tokens; when set, every request needs one
#                  (default: no authentication)
#   PYTHON         interpreter for the virtualenv (default: python3)
set -euo pipefail

SEKMET_VERSION="0.1.1"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${FHIR_VENV:-$repo/.fhir-venv}"

install() {
  if [[ -x "$venv/bin/sekmet" ]] && "$venv/bin/sekmet" --version 2>/dev/null | grep -q "$SEKMET_VERSION"; then
    return 0
  fi
  echo "installing sekmet-fhir==$SEKMET_VERSION into $venv" >&2
  "${PYTHON:-python3}" -m venv "$venv"
  printf '*\n' > "$venv/.gitignore"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "sekmet-fhir==$SEKMET_VERSION" >&2
}

install
if [[ "${1:-}" == "--install-only" ]]; then
  exit 0
fi

port="${1:-8090}"
data_dir="${2:-$(mktemp -d -t fhir-server.XXXXXX)}"
mkdir -p "$data_dir"
{
  echo "host: 127.0.0.1"            # sekmet defaults to 0.0.0.0
  echo "port: $port"
  echo "base_url: http://127.0.0.1:$port/fhir"
  echo "data_dir: $data_dir"
  echo "db_path: $data_dir/fhir.db"
  echo "log_inbound: false"         # no traffic log (it would store tokens and bodies)
  echo "simulator: {enabled: false}"
  echo "validation: {inbound: \"off\"}"
  if [[ -n "${FHIR_TOKENS:-}" ]]; then
    echo "server_auth:"
    echo "  types: [bearer]"
    echo "  tokens:"
    IFS=',' read -ra toks <<< "$FHIR_TOKENS"
    for t in "${toks[@]}"; do echo "    - \"$t\""; done
  fi
} > "$data_dir/settings.yaml"
chmod 600 "$data_dir/settings.yaml"

echo "http://127.0.0.1:$port/fhir"
cd "$data_dir"
exec "$venv/bin/sekmet" serve --config "$data_dir/settings.yaml"
