// Replaces values that change without the template really changing (asset hashes, the
// bundled Remotion version in descriptions stays), so a snapshot diff means a real change.
const ASSET_HASH = /[0-9a-f]{64}(\.zip|\.json)?/g;

module.exports = {
  test: (value: unknown) => typeof value === 'string' && ASSET_HASH.test(value) && (ASSET_HASH.lastIndex = 0, true),
  print: (value: string) => JSON.stringify(value.replace(ASSET_HASH, (_m, ext) => `[ASSET_HASH]${ext ?? ''}`)),
};
