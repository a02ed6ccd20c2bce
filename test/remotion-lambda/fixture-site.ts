import * as path from 'path';

/** A minimal output folder of `npx remotion bundle`, for the sites the RemotionLambda tests deploy. */
export const FIXTURE_SITE = path.join(__dirname, 'fixtures', 'site');
