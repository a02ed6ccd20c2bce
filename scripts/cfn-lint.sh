#!/usr/bin/env bash
# Lints with cfn-lint (from PyPI) every template the jest tests asserted on (written by
# test/dump-templates.ts into cdk.out/test-templates) and the templates of examples/.
set -euo pipefail
cd "$(dirname "$0")/.."

TEST_TEMPLATES=cdk.out/test-templates
EXAMPLE_OUT=cdk.out/examples
VENV=.venv-cfn-lint

if [ ! -x "$VENV/bin/cfn-lint" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --no-cache-dir 'cfn-lint==1.58.0'
fi

if ! ls "$TEST_TEMPLATES"/*.json >/dev/null 2>&1; then
  echo "No test templates in $TEST_TEMPLATES: run the jest tests with CFN_LINT_TEMPLATES_DIR=$TEST_TEMPLATES first." >&2
  exit 1
fi

rm -rf "$EXAMPLE_OUT"
CDK_OUTDIR="$EXAMPLE_OUT/app" npx ts-node --project tsconfig.dev.json examples/app.ts >/dev/null
CDK_OUTDIR="$EXAMPLE_OUT/ec2" npx ts-node --project tsconfig.dev.json examples/ec2-and-byo-cognito.ts >/dev/null

templates=("$TEST_TEMPLATES"/*.json "$EXAMPLE_OUT"/*/*.template.json)
echo "cfn-lint $("$VENV/bin/cfn-lint" --version | awk '{print $2}') on ${#templates[@]} templates"
# W3005: CDK makes a function DependsOn its role as well as the role's policy, so that the policy
# exists before the function runs; the extra DependsOn on the role is redundant, not wrong.
"$VENV/bin/cfn-lint" --ignore-checks W3005 -- "${templates[@]}"
echo "cfn-lint: ${#templates[@]} passed, 0 failed"
