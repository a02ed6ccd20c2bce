#!/usr/bin/env bash
# Sourced by the scripts that build or test (`source scripts/node.sh`): makes sure that `node` is
# Node.js 22 or newer. jsii supports only ^22 and ^24, and the handler runs on Lambda's nodejs24.x,
# so the tests should run on Node 24. When the machine's Node is older, Node 24 comes from the npm
# registry (the `node` package, whose binary is a platform package of the same registry) into
# .toolchain/, and goes first on PATH for the rest of the calling script. Nothing else is fetched.
# Run it directly (`bash scripts/node.sh`) to install it and print the PATH entry.

# The Node.js that replaces an older one: Lambda's runtime version, pinned so CI does not move.
TOOLCHAIN_NODE_VERSION=24.21.0
TOOLCHAIN_MIN_NODE_MAJOR=22

toolchain_node_major() {
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

toolchain_ensure_node() {
  local root dir
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  dir="${root}/.toolchain/node-${TOOLCHAIN_NODE_VERSION}"
  if [ -x "${dir}/node_modules/node/bin/node" ]; then
    export PATH="${dir}/node_modules/node/bin:${PATH}"
  fi
  if [ "$(toolchain_node_major)" -ge "${TOOLCHAIN_MIN_NODE_MAJOR}" ]; then
    return 0
  fi
  echo "Node.js $(node --version 2>/dev/null || echo '(none)') is older than ${TOOLCHAIN_MIN_NODE_MAJOR}: installing node@${TOOLCHAIN_NODE_VERSION} from the npm registry into .toolchain/" >&2
  mkdir -p "${dir}"
  # --ignore-scripts=false: the package's preinstall script links the platform binary package.
  npm install --prefix "${dir}" --no-save --no-audit --no-fund --no-package-lock --loglevel=error \
    --ignore-scripts=false "node@${TOOLCHAIN_NODE_VERSION}" >&2
  export PATH="${dir}/node_modules/node/bin:${PATH}"
  if [ "$(toolchain_node_major)" -lt "${TOOLCHAIN_MIN_NODE_MAJOR}" ]; then
    echo "node@${TOOLCHAIN_NODE_VERSION} did not install a working node in ${dir}" >&2
    return 1
  fi
}

toolchain_ensure_node || { echo "scripts/node.sh: no Node.js ${TOOLCHAIN_MIN_NODE_MAJOR}+ available" >&2; exit 1; }
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  echo "node $(node --version) at $(command -v node)"
fi
