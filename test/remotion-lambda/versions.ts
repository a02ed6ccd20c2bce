import * as path from 'path';

/** The two installed `@remotion/lambda` versions every RemotionLambda drift test runs against. */
export const FLOOR_DIR = path.join(__dirname, '..', '..', 'node_modules', 'remotion-lambda-floor');
export const NEWEST_DIR = path.join(__dirname, '..', '..', 'node_modules', '@remotion', 'lambda');
export const FIXTURE_SITE = path.join(__dirname, 'fixtures', 'site');

export const VERSIONS = [
  { name: 'floor', dir: FLOOR_DIR, version: '4.0.365' },
  { name: 'newest', dir: NEWEST_DIR, version: '4.0.527' },
] as const;
