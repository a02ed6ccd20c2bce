#!/usr/bin/env bash
# Every test, on a fresh machine (Node.js + npm, Python 3 + pip, JDK 17 + Maven, Go 1.25+): installs
# what it needs (Node 24 when the machine's Node is older than 22, npm packages, moto from PyPI, Go
# modules from the Go module proxy), builds the library, runs the TypeScript tests, cfn-lint, the
# integ snapshot check, the walkthrough (docs/walkthrough.md) and the Python, Java and Go consumers. This is what .ci/run runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export CI=true
# Everything below runs on Node 22+ (Node 24, Lambda's version, where the machine's is older).
source scripts/node.sh
echo "node $(node --version) at $(command -v node)"

started=$(date +%s)
passed=0

# run_phase NAME COMMAND...: runs one phase, prints how long it took; the script stops at the first failure.
run_phase() {
  local name="$1" phase_started
  shift
  phase_started=$(date +%s)
  echo
  echo "=== ${name}"
  "$@"
  echo "=== ${name}: ok in $(($(date +%s) - phase_started))s"
  passed=$((passed + 1))
}

build_and_unit_test() {
  rm -rf cdk.out/test-templates
  CFN_LINT_TEMPLATES_DIR=cdk.out/test-templates npx projen build
}

run_phase "install npm dependencies" npm ci --no-audit --no-fund
run_phase "install moto (pinned, PyPI) for the tests that need a real DynamoDB" scripts/moto.sh install
run_phase "build: bundle handler, jsii compile, API.md, jest tests + eslint, npm package" build_and_unit_test
# Needs the npm registry (cdk init, Remotion, aws-cdk-lib) and the tarball the build packaged.
run_phase "walkthrough: docs/walkthrough.md steps 1-3 verbatim (cdk init, remotion bundle, cdk synth)" scripts/walkthrough.sh
run_phase "compatibility matrix: the README's app on the oldest and the newest aws-cdk-lib and Remotion" scripts/matrix.sh
run_phase "API.md is generated and committed" git diff --exit-code -- API.md
# jest transpiles each test file alone, so a type error in a test, an example or the bench would pass.
run_phase "type-check tests, examples and bench (tsc, tsconfig.dev.json)" npx tsc --noEmit -p tsconfig.dev.json
run_phase "cfn-lint on the tests' templates and examples/" scripts/cfn-lint.sh
run_phase "integ-runner snapshots (offline, no deploy)" scripts/integ.sh
run_phase "Python consumer (jsii wheel + aws-cdk-lib from PyPI, pytest)" scripts/consumers-python.sh
run_phase "Java consumer (jsii Maven artifact + aws-cdk-lib from Maven Central, JUnit)" scripts/consumers-java.sh
run_phase "Go consumer (jsii Go module + aws-cdk-go from the Go module proxy, go test)" scripts/consumers-go.sh
# After the consumers, which build the wheel, the jar and the Go module (package:python, :java, :go).
run_phase "packages hold no Remotion code, ship notices, no scripts/tests/runtime sources" python3 scripts/check-package-contents.py

echo
echo "All phases green in $(($(date +%s) - started))s."
echo "test phases: ${passed} passed, 0 failed"
