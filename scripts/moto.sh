#!/usr/bin/env bash
# moto in server mode, for the tests that need a real DynamoDB (and later EventBridge, Secrets
# Manager): `scripts/moto.sh install` puts a pinned moto[server] into .venv-moto/ (idempotent);
# the tests start and stop the server themselves (test/moto/moto-server.ts) on a free loopback port.
# They run moto's app through test/moto/serialized_moto.py with this venv's python, not moto_server:
# it applies one request at a time, so conditional writes are atomic as in DynamoDB.
# DynamoDB Local is not an option: its licence is not an open-source one.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned: moto's DynamoDB emulation changes between releases, and the tests assert its answers.
MOTO_VERSION=5.2.5
VENV=.venv-moto

install() {
  if [ -x "${VENV}/bin/moto_server" ] && "${VENV}/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('moto') != '${MOTO_VERSION}')"; then
    echo "moto ${MOTO_VERSION} already in ${VENV}"
    return
  fi
  python3 -m venv "${VENV}"
  "${VENV}/bin/pip" install --quiet --disable-pip-version-check "moto[server]==${MOTO_VERSION}"
  echo "moto ${MOTO_VERSION} installed in ${VENV}"
}

case "${1:-}" in
  install) install ;;
  *) echo "usage: scripts/moto.sh install" >&2; exit 2 ;;
esac
