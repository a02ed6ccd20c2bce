import type { awscdk } from 'projen';

/**
 * The layers of `src/`, top to bottom: a folder may import only from the folders below it. One
 * list, so the rule and its message cannot drift apart (CONTRIBUTING.md shows the same order).
 * `render-function` and `remotion-lambda` share a level in the docs; `render-function` names a
 * `RemotionLambda` as a target, so it sits above.
 */
export const SRC_LAYERS: readonly string[] = [
  'monitoring',
  'api',
  'render-queue',
  'render-records',
  'render-function',
  'remotion-lambda',
  'role',
  'policy',
  'remotion',
  'private',
];

const RUNTIME = './src/render-function/runtime';

/**
 * Adds the one `import/no-restricted-paths` rule that keeps the layers: construct code never
 * imports the handler runtime; the runtime imports only its contract and the name patterns; every
 * layer imports only from the layers below it.
 */
export function addLayerRules(project: awscdk.AwsCdkConstructLibrary): void {
  const order = SRC_LAYERS.join(' -> ');
  const layerZones = SRC_LAYERS.slice(1).map((layer, index) => ({
    target: `./src/${layer}`,
    from: SRC_LAYERS.slice(0, index + 1).map((above) => `./src/${above}`),
    message: `Arrows point down only: ${order}.`,
  }));
  project.eslint?.addRules({
    'import/no-restricted-paths': ['error', {
      zones: [
        {
          target: ['./src/*.ts', './src/!(render-function)/**/*', './src/render-function/*.ts'],
          from: RUNTIME,
          message: 'Construct code runs at synth; the handler runtime reaches Lambda only through its bundle.',
        },
        {
          target: RUNTIME,
          from: './src',
          except: ['./render-function/runtime', './render-function/contract.ts', './private/patterns.ts'],
          message: 'The handler runtime may import only its contract (src/render-function/contract.ts) and src/private/patterns.ts.',
        },
        ...layerZones,
      ],
    }],
  });
}
