# Shared by scripts/consumers-python.sh and scripts/consumers-java.sh (sourced, not run):
# phase timing, installing missing system packages, and building the jsii assembly.
# Expects `set -euo pipefail` and the repository root as the working directory.

# jsii's tools and its runtime under pytest and JUnit spawn `node`: Node 22+ (scripts/node.sh).
source "$(dirname "${BASH_SOURCE[0]}")/node.sh"

CONSUMERS_STARTED=$(date +%s)
CONSUMERS_TIMINGS=()

# phase NAME COMMAND...: runs one phase and prints how long it took; stops the script on failure.
phase() {
  local name="$1" started took
  shift
  started=$(date +%s)
  echo
  echo "--- ${name}"
  "$@"
  took=$(($(date +%s) - started))
  echo "--- ${name}: ok in ${took}s"
  CONSUMERS_TIMINGS+=("$(printf '%5ss  %s' "${took}" "${name}")")
}

# print_timings TITLE: the time of every phase, and the total.
print_timings() {
  echo
  echo "$1: phase times"
  printf '  %s\n' "${CONSUMERS_TIMINGS[@]}"
  printf '  %5ss  total\n' "$(($(date +%s) - CONSUMERS_STARTED))"
}

# apt_install PACKAGE...: installs Debian packages (as root, or with sudo).
apt_install() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root or sudo to apt-get install $*" >&2; return 1; }
    sudo=(sudo)
  fi
  command -v apt-get >/dev/null || { echo "no apt-get: install $* by hand" >&2; return 1; }
  echo "apt-get install $*"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@"
}

require_npm_deps() {
  if [ ! -x node_modules/.bin/projen ] || [ ! -x node_modules/.bin/jsii-pacmak ]; then
    echo "node_modules is missing projen or jsii-pacmak: run 'npm ci' first." >&2
    return 1
  fi
}

# Always from scratch, so that the consumer tests exercise the current source: the handler asset
# (which every jsii package ships), the jsii assembly (.jsii and lib/), then the tablet of
# compiled and translated doc snippets (.jsii.tabl.json), without which pacmak refuses to package
# (JSII_PACMAK_ROSETTA_UNKNOWN_SNIPPETS=fail) and which the translated-docs tests read back.
build_assembly() {
  phase "npx projen bundle (handler asset)" npx projen bundle
  phase "npx projen compile (jsii)" npx projen compile
  phase "npx projen rosetta:extract (README and @example snippets, compiled and translated)" npx projen rosetta:extract
}

# install_remotion CONSUMER_DIR: installs @remotion/lambda in the consumer's own folder, as a user
# of a Python or Java app does (`npm i @remotion/lambda@<version>` beside the app): the library
# ships no Remotion code, and finds this install from the app's working directory at synth.
# Optional dependencies (Remotion's native compositor) and install scripts are not needed to
# synthesize; esbuild's would even find the repository's own esbuild up the tree and fail.
install_remotion() {
  (cd "$1" && npm ci --no-audit --no-fund --omit=optional --ignore-scripts --loglevel=error)
  echo "$1/node_modules/@remotion/lambda $(node -p "require('./$1/node_modules/@remotion/lambda/package.json').version")"
}
