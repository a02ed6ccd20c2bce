#!/usr/bin/env bash
# integ-runner snapshot tests of test/integ.*.ts, offline. Never deploys.
#
#   scripts/integ.sh            synthesizes every test/integ.*.ts and compares its test stacks'
#                               templates with the committed test/integ.*.ts.snapshot/; fails if
#                               one differs or has no snapshot.
#   scripts/integ.sh --update   rewrites the snapshots without deploying (integ-runner --force
#                               --dry-run), then drops the assertion stacks' assets from them.
#
# Asset hashes are not compared (integ-runner's default, also set in the tests with
# `diffAssets: false`): a rebuilt handler bundle alone does not fail the check. The assertion
# stacks (DeployAssert) are written to the snapshots but never compared by integ-runner: their
# custom resources carry a per-synthesis `salt`.
#
# Deploying a test for real (AWS credentials, a deployed Remotion function) is described at the
# top of test/integ.render-api.ts; this script never does it.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=check
case "${1:-}" in
  '') ;;
  --update) mode=update ;;
  *)
    echo "usage: $0 [--update]" >&2
    exit 2
    ;;
esac

# Offline: no credentials, no AWS config files, no instance metadata. Otherwise integ-runner's CDK
# toolkit looks for a region in EC2 instance metadata (about 7 s of timeouts without it) and,
# given credentials, for the account with STS. A region here changes nothing in the templates:
# the test stacks are environment-agnostic.
while IFS= read -r name; do
  unset "$name"
done < <(compgen -e | grep -E '^(AWS_|CDK_DEFAULT_|INTEG_REMOTION_)' || true)
export AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null

# The render function's code asset (build output, not committed).
if [ ! -f assets/render-handler/index.mjs ]; then
  echo "No handler bundle in assets/: running npx projen bundle"
  npx projen bundle >/dev/null
fi

# The temporary cloud assemblies integ-runner synthesizes into, should it be interrupted.
trap 'rm -rf test/cdk-integ.out.*' EXIT

# Type checking is `tsc -p tsconfig.dev.json`'s job; transpile-only keeps each synthesis ~2 s.
APP='node_modules/.bin/ts-node --transpile-only --project tsconfig.dev.json {filePath}'
# --config /dev/null: options come from here only, never from an integ.config.json (where
# `watch` or `update-on-failed` would deploy).
runner=(node_modules/.bin/integ-runner --config /dev/null --directory test --language typescript
  --app "$APP" --max-workers 2 --parallel-regions us-east-1)

# What integ-runner discovers with --language typescript (integ.*.ts under test/), without
# paying for another start of integ-runner.
mapfile -t tests < <(find test -type f -name 'integ.*.ts' ! -name '*.d.ts' | sort)
if [ "${#tests[@]}" -eq 0 ]; then
  echo "No integ tests (test/integ.*.ts) found." >&2
  exit 1
fi

started=$(date +%s)
output=$(mktemp)
trap 'rm -rf test/cdk-integ.out.* "$output"' EXIT

if [ "$mode" = update ]; then
  status=0
  "${runner[@]}" --force --dry-run 2>&1 | tee "$output" || status=$?
  # integ-runner keeps the test stacks' assets only for the update workflow, and never deploys an
  # assertion stack from a snapshot: its assets (the 2 MB assertion provider bundle) are dead weight.
  node -e '
    const fs = require("fs");
    const path = require("path");
    for (const dir of process.argv.slice(1)) {
      if (!fs.existsSync(path.join(dir, "integ.json"))) continue;
      const integ = JSON.parse(fs.readFileSync(path.join(dir, "integ.json"), "utf8"));
      for (const testCase of Object.values(integ.testCases)) {
        if (!testCase.assertionStackName) continue;
        const manifest = path.join(dir, `${testCase.assertionStackName}.assets.json`);
        if (!fs.existsSync(manifest)) continue;
        for (const asset of Object.values(JSON.parse(fs.readFileSync(manifest, "utf8")).files ?? {})) {
          // The manifest also lists the stack template itself (a file asset): keep that.
          const source = asset.source?.path;
          if (source?.startsWith("asset.")) fs.rmSync(path.join(dir, source), { recursive: true, force: true });
        }
      }
    }' $(find test -type d -name 'integ.*.ts.snapshot')
  if [ "$status" -ne 0 ]; then
    echo "integ snapshots: integ-runner failed (exit $status, see above); snapshots may be partly rewritten." >&2
    exit "$status"
  fi
  echo "integ snapshots: ${#tests[@]} rewritten without deploying in $(($(date +%s) - started))s: ${tests[*]}"
  exit 0
fi

# Only snapshot tests: integ-runner deploys only with --update-on-failed, --force or --watch.
status=0
"${runner[@]}" --no-update-on-failed --no-force --no-watch 2>&1 | tee "$output" || status=$?
elapsed=$(($(date +%s) - started))
if [ "$status" -ne 0 ]; then
  failed=$(sed 's/\x1b\[[0-9;]*m//g' "$output" | grep -cE '^ +(CHANGED|NEW|ERROR) ' || true)
  echo >&2
  echo "integ snapshots: ${failed} of ${#tests[@]} failed in ${elapsed}s (offline, nothing deployed)." >&2
  echo "If the change is intended, run scripts/integ.sh --update and commit test/integ.*.ts.snapshot/." >&2
  exit "$status"
fi
echo "integ snapshots: ${#tests[@]} passed, 0 failed in ${elapsed}s (offline, nothing deployed): ${tests[*]}"
