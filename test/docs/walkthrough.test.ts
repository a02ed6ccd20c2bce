import * as fs from 'node:fs';
import * as path from 'node:path';
import { walkthroughSteps } from './walkthrough-script';

// scripts/walkthrough.sh runs what walkthroughSteps reads from the page (a phase of .ci/run, since
// it needs the npm registry and minutes); these tests check the reading itself, offline.

const PAGE = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'walkthrough.md'), 'utf-8');
const TARBALL = '/tmp/remotion-constructs.tgz';

describe('the walkthrough page as the walkthrough test reads it', () => {
  const steps = walkthroughSteps(PAGE, TARBALL);

  it('writes the Remotion project and replaces the stack and the test that cdk init makes', () => {
    expect(steps.files).toEqual(['video/src/index.ts', 'video/src/Root.tsx', 'infra/lib/infra-stack.ts', 'infra/test/infra.test.ts']);
  });

  it('runs the commands of steps 1 to 3 and leaves out the five blocks that need AWS', () => {
    expect(steps.commandBlocks).toBe(5);
    expect(steps.awsBlocks).toBe(5);
    for (const command of ['npx remotion bundle src/index.ts', 'npx --yes aws-cdk@latest init app --language typescript', 'npx cdk synth --quiet', 'npm test']) {
      expect(steps.script).toMatch(new RegExp(`^${command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    }
    expect(steps.script).not.toMatch(/cdk (bootstrap|deploy|destroy)|aws /);
  });

  it('installs the tarball under test in place of the npm release, and Remotion as the page says', () => {
    expect(steps.script).toMatch(/^npm i '\/tmp\/remotion-constructs\.tgz' @remotion\/lambda@4\.0\.527$/m);
    expect(steps.script).not.toMatch(/^npm i @org\/remotion-constructs/m);
  });

  it('writes each file byte for byte as the page shows it', () => {
    const shown = /```ts file=infra\/lib\/infra-stack\.ts\n([\s\S]*?)^```$/m.exec(PAGE)![1];
    expect(steps.script).toContain(`<<'WALKTHROUGH_EOF'\n${shown}WALKTHROUGH_EOF\n`);
  });

  it('fails when the page no longer installs the package with npm i, rather than test the npm release', () => {
    const page = PAGE.replace('npm i @org/remotion-constructs ', 'npm install @org/remotion-constructs ');
    expect(() => walkthroughSteps(page, TARBALL)).toThrow(/exactly one "npm i @org\/remotion-constructs/);
  });

  it('fails on a bash fence it does not know, rather than skip the block', () => {
    expect(() => walkthroughSteps(PAGE.replace('```bash aws\n', '```bash needs-aws\n'), TARBALL)).toThrow(/unknown bash fence info/);
  });
});
