import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

describe('README section on RemotionLambda', () => {
  it('carries examples/readme-remotion-lambda.ts verbatim (type-checked with the examples), importing the package', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const snippet = fs.readFileSync(path.join(ROOT, 'examples', 'readme-remotion-lambda.ts'), 'utf8')
      .replace("from '../src';", "from '@org/remotion-constructs';");
    expect(snippet).toContain("from '@org/remotion-constructs';");
    expect(readme).toContain(`\`\`\`TypeScript\n${snippet}\`\`\``);
  });
});
