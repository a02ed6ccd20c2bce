import * as fs from 'fs';

/** The `@remotion/lambda` installed in the app's folder; the render function must be of the same version. */
const INSTALLED_REMOTION: string = (JSON.parse(fs.readFileSync(require.resolve('@remotion/lambda/package.json'), 'utf8')) as { version: string }).version;

/** Remotion names its functions after the version, memory, disk and timeout they were deployed with. */
export const DEFAULT_FUNCTION_NAME = `remotion-render-${INSTALLED_REMOTION.replace(/\./g, '-')}-mem2048mb-disk2048mb-120sec`;

/** A placeholder site URL: replace it with the one `npx remotion lambda sites create` prints. */
export const DEFAULT_SERVE_URL = 'https://remotionlambda-useast1-example.s3.us-east-1.amazonaws.com/sites/example-site/index.html';
