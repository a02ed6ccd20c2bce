#!/usr/bin/env bash
# The README's first command: installs the npm packages on Node 22+ (scripts/node.sh brings Node 24
# from the npm registry where the machine's Node is older), bundles the handler, synthesizes
# examples/app.ts (RemotionLambda + API) offline and prints what it made. Nothing reaches AWS.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node.sh
npm ci --no-audit --no-fund
npx projen example
