/**
 * When CFN_LINT_TEMPLATES_DIR is set, every template a test asserts on is also written there, so
 * that `cfn-lint` checks exactly the stacks the tests build (see scripts/cfn-lint.sh).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';

const directory = process.env.CFN_LINT_TEMPLATES_DIR;

if (directory) {
  fs.mkdirSync(directory, { recursive: true });
  const fromStack = Template.fromStack.bind(Template);
  const testFile = path.basename(expect.getState().testPath ?? 'unknown', '.test.ts');
  let count = 0;
  Object.defineProperty(Template, 'fromStack', {
    value: (...args: Parameters<typeof Template.fromStack>) => {
      const template = fromStack(...args);
      count += 1;
      fs.writeFileSync(path.join(directory, `${testFile}-${count}.json`), JSON.stringify(template.toJSON(), undefined, 1));
      return template;
    },
  });
}
