import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FLOOR_DIR, INSTALLED_REMOTION, NEWEST_DIR } from '../remotion-versions';
import { FIXTURE_SITE } from './fixture-site';
import { readLambdaFacts } from '../../src/remotion/lambda-facts';
import { bundleVersion, validateSite } from '../../src/remotion-lambda/site';

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'remotion-site-'));
  for (const [name, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('validateSite', () => {
  it.each(INSTALLED_REMOTION)('accepts the fixture bundle with the $name version\'s validators and returns its absolute path', ({ dir }) => {
    const relative = path.relative(process.cwd(), FIXTURE_SITE);
    expect(validateSite(readLambdaFacts(dir), 'demo-site_1.(v2)', relative)).toBe(FIXTURE_SITE);
  });

  it.each(['a/b', 'with space', '', '.', '..', 'ü'])('rejects the site name %j, as Remotion\'s validateSiteName does', (name) => {
    expect(() => validateSite(readLambdaFacts(FLOOR_DIR), name, FIXTURE_SITE)).toThrow(/^siteName ".*" must match/);
  });

  it('rejects a folder that does not exist', () => {
    expect(() => validateSite(readLambdaFacts(FLOOR_DIR), 'demo', '/nonexistent/site')).toThrow('bundleDir "/nonexistent/site" is not a folder');
  });

  it('rejects a folder without index.html, with any version', () => {
    const dir = folder({ 'bundle.js': '' });
    expect(() => validateSite(readLambdaFacts(FLOOR_DIR), 'demo', dir)).toThrow(`bundleDir "${dir}" has no index.html at its root`);
  });

  it('applies the newest version\'s own bundle validator: a bundle that is not relocatable is refused', () => {
    const dir = folder({ 'index.html': '<script>window.remotion_publicPath = "/";</script>', 'bundle.js': '' });
    expect(() => validateSite(readLambdaFacts(NEWEST_DIR), 'demo', dir)).toThrow(/^bundleDir: The bundle at .* is not relocatable/);
  });
});

describe('bundleVersion', () => {
  it('reads window.remotion_version from index.html', () => {
    expect(bundleVersion(FIXTURE_SITE)).toBe('4.0.527');
  });

  it('is undefined when index.html names no version', () => {
    expect(bundleVersion(folder({ 'index.html': '<html></html>' }))).toBeUndefined();
  });
});
