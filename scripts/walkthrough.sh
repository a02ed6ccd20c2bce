#!/usr/bin/env bash
# Follows docs/walkthrough.md verbatim, offline from AWS: every `bash` block of steps 1 to 3 and
# every file the page shows, in an empty folder (the page's own commands: a Remotion project with
# the user's own remotion, @remotion/cli, react and react-dom, a real `npx remotion bundle`,
# `cdk init app --language typescript` with the newest aws-cdk CLI, `cdk synth`). The one change:
# `npm i @org/remotion-constructs` installs this build's tarball (dist/js, from `npx projen
# package:js` or the build). Blocks fenced `bash aws` need an AWS account and are not run.
# Needs the npm registry. WALKTHROUGH_DIR keeps the folder (default: a temporary one, removed).
set -euo pipefail
source "$(dirname "$0")/package-tarball.sh"

work="${WALKTHROUGH_DIR:-$(mktemp -d)}"
[ -n "${WALKTHROUGH_DIR:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
if [ -n "$(ls -A "$work")" ]; then
  echo "walkthrough: ${work} is not empty; the page starts in an empty folder" >&2
  exit 1
fi

# Transpile only: tsc type-checks the script in its own phase of test-all.sh.
npx ts-node --transpile-only --project tsconfig.dev.json test/docs/walkthrough-script.ts docs/walkthrough.md "$tarball" > "${work}.sh"
# cdk init's git commit needs an identity on a CI machine; the CLI's telemetry would reach out.
export GIT_AUTHOR_NAME=walkthrough GIT_AUTHOR_EMAIL=walkthrough@example.com
export GIT_COMMITTER_NAME=walkthrough GIT_COMMITTER_EMAIL=walkthrough@example.com
export CDK_DISABLE_CLI_TELEMETRY=true
started=$(date +%s)
(cd "$work" && WALKTHROUGH_ROOT="${work}/my-videos" bash -euo pipefail "${work}.sh")
rm -f "${work}.sh"

# What the page promises step 4 deploys: Remotion's function, the site, the API, the event rule.
template="${work}/my-videos/infra/cdk.out/InfraStack.template.json"
node -e '
const t = JSON.parse(require("fs").readFileSync(process.argv[1], "utf-8"));
const types = Object.values(t.Resources).map((r) => r.Type);
const outputs = Object.keys(t.Outputs);
const want = ["AWS::Lambda::Function", "Custom::CDKBucketDeployment", "AWS::ApiGatewayV2::Api", "AWS::Cognito::UserPool", "AWS::Events::Rule"];
const missing = want.filter((w) => !types.includes(w));
const expectedOutputs = [/^RemotionFunctionName/, /^RemotionBucketName/, /^RemotionmyvideoServeUrl/, /^RenderApiUrl$/, /^RenderRegion$/, /^RenderUserPoolId$/, /^RenderUserPoolClientId$/];
if (missing.length || outputs.length !== expectedOutputs.length || !expectedOutputs.every((re) => outputs.some((o) => re.test(o)))) {
  console.error("walkthrough: the synthesized template is not what the page says", { missing, outputs });
  process.exit(1);
}
console.log(`walkthrough: synthesized InfraStack with ${types.length} resources and the outputs ${outputs.join(", ")}`);
' "$template"
echo "walkthrough: steps 1-3 in $(($(date +%s) - started))s (steps 4-8 need an AWS account and are not run)"
