#!/usr/bin/env bash
# Python consumer test, on a fresh machine after `npm ci`: builds the library's wheel with
# jsii-pacmak, installs it with aws-cdk-lib (the supported floor) and pytest from PyPI into a new
# virtualenv, and runs test/consumers/python (a CDK app in Python asserted with
# aws_cdk.assertions). Installs python3-venv with apt-get when python3 cannot make a virtualenv.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/consumers-common.sh
source scripts/consumers-common.sh

CONSUMER=test/consumers/python
VENV="$CONSUMER/.venv"

# jsii-pacmak and the consumer both need `python3 -m venv` with pip (ensurepip); the wheel needs
# Python 3.10 or newer.
ensure_python() {
  command -v python3 >/dev/null || apt_install python3 python3-venv
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    apt_install python3-venv
  fi
  python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "the wheel needs Python 3.10 or newer, not " + sys.version)'
  python3 --version
}

# jsii-pacmak makes its own virtualenv and installs setuptools, build, twine (from PyPI) into it.
package_python() {
  rm -rf dist/python
  npx projen package:python
  local wheels=(dist/python/*.whl)
  [ "${#wheels[@]}" -eq 1 ] && [ -f "${wheels[0]}" ] || { echo "expected one wheel in dist/python" >&2; return 1; }
  echo "built ${wheels[0]}"
}

make_venv() {
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --no-cache-dir dist/python/*.whl -r "$CONSUMER/requirements.txt"
  "$VENV/bin/python" - <<'EOF'
from importlib.metadata import version
import sys
names = ["org-remotion-constructs", "aws-cdk-lib", "constructs", "jsii", "pytest"]
print(f"python {sys.version.split()[0]}: " + ", ".join(f"{n} {version(n)}" for n in names))
EOF
}

run_pytest() {
  (cd "$CONSUMER" && PYTHONDONTWRITEBYTECODE=1 .venv/bin/python -m pytest -v -p no:cacheprovider)
}

phase "prerequisites: python3 with venv" ensure_python
phase "README snippets match the consumer sources" scripts/consumers-snippets.sh README.md
require_npm_deps
build_assembly
phase "npx projen package:python (jsii-pacmak: dist/python)" package_python
phase "fresh virtualenv: wheel + requirements.txt from PyPI" make_venv
phase "npm ci in $CONSUMER: the app installs @remotion/lambda itself" install_remotion "$CONSUMER"
phase "pytest test/consumers/python" run_pytest
print_timings "Python consumer"
