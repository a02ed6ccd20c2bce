#!/usr/bin/env bash
# The compatibility matrix that the README states: the README's first TypeScript app, taken from
# the README as pasted, synthesized by a consumer project that installs this build's tarball
# (dist/js) with the oldest supported aws-cdk-lib and the floor of Remotion, and with the newest
# aws-cdk-lib on npm today and the newest supported Remotion. Each cell checks the template's
# seven outputs and the Remotion function's runtime. Needs the npm registry.
set -euo pipefail
source "$(dirname "$0")/package-tarball.sh"
newest_cdk=$(npm view aws-cdk-lib version)
floor_cdk=$(node -p 'require("./package.json").peerDependencies["aws-cdk-lib"].replace(/^\^/, "")')
floor_remotion=$(node -p 'require("./node_modules/remotion-lambda-floor/package.json").version')
newest_remotion=$(node -p 'require("./node_modules/@remotion/lambda/package.json").version')

# The README's first ```TypeScript block, transpiled only (test/docs/readme.test.ts type-checks it).
app_js=$(mktemp)
node -e '
const fs = require("fs");
const ts = require("typescript");
const readme = fs.readFileSync("README.md", "utf-8");
const app = /^```TypeScript\n([\s\S]*?)^```$/m.exec(readme)[1];
process.stdout.write(ts.transpileModule(app, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText);
' > "$app_js"

# cell NAME AWS_CDK_LIB REMOTION_LAMBDA EXPECTED_RUNTIME
cell() {
  local name="$1" cdk="$2" remotion="$3" runtime="$4" dir started
  started=$(date +%s)
  dir=$(mktemp -d)
  (
    cd "$dir"
    npm init -y > /dev/null
    npm i --no-audit --no-fund --loglevel=error "$tarball" "aws-cdk-lib@${cdk}" constructs@^10.5.1 "@remotion/lambda@${remotion}" > /dev/null
    mkdir -p remotion/build
    cp -R "${repo}/test/remotion-lambda/fixtures/site/." remotion/build/
    cp "$app_js" app.js
    # As under `cdk synth`: the App synthesizes itself on exit into CDK_OUTDIR.
    CDK_OUTDIR="${dir}/cdk.out" CDK_CONTEXT_JSON='{}' node app.js
    node -e '
const t = JSON.parse(require("fs").readFileSync("cdk.out/VideoStack.template.json", "utf-8"));
const outputs = Object.keys(t.Outputs);
const fn = Object.values(t.Resources).find((r) => r.Type === "AWS::Lambda::Function" && /^remotion-render-/.test(String(r.Properties.FunctionName)));
if (outputs.length !== 7 || !fn || fn.Properties.Runtime !== process.argv[1]) {
  console.error("matrix: unexpected template", { outputs, runtime: fn && fn.Properties.Runtime });
  process.exit(1);
}
' "$runtime"
  )
  rm -rf "$dir"
  echo "matrix: ${name}: aws-cdk-lib ${cdk}, @remotion/lambda ${remotion}: synthesized in $(($(date +%s) - started))s"
}

cell "oldest" "$floor_cdk" "$floor_remotion" nodejs20.x
cell "newest" "$newest_cdk" "$newest_remotion" nodejs24.x
rm -f "$app_js"
