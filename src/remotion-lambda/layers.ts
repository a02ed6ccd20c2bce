import { CfnMapping, CfnRule, Fn, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { RemotionLambdaFacts } from '../remotion/lambda-facts';

/**
 * The layer ARNs (with version) that Remotion's `getLayers()` picks for `variant` in the stack's
 * region, read from the installed hosted-layer table.
 *
 * - Concrete region in the table: the ARNs themselves.
 * - Concrete region not in the table: a synth error naming the regions that have layers.
 * - Region-agnostic stack: `Fn::FindInMap` on a mapping of every region in the table, plus a
 *   rule that fails the deployment with a clear message in a region without layers.
 */
export function layerArnsFor(scope: Construct, facts: RemotionLambdaFacts, variant: string): string[] {
  const stack = Stack.of(scope);
  const regions = Object.keys(facts.hostedLayers).sort();
  if (!Token.isUnresolved(stack.region)) {
    if (!regions.includes(stack.region)) {
      throw new Error(`Remotion ${facts.version} hosts no Lambda layers in ${stack.region}, so RemotionLambda cannot be deployed there. `
        + `Regions with layers: ${regions.join(', ')}.`);
    }
    return facts.layersFor(variant, stack.region).map(versioned);
  }

  // The same layers are picked in every region (by kind); one mapping column per picked position.
  const picked = Object.fromEntries(regions.map((region) => [region, facts.layersFor(variant, region).map(versioned)]));
  const count = picked[regions[0]].length;
  for (const region of regions) {
    if (picked[region].length !== count) {
      throw new Error(`Remotion ${facts.version}'s layer table picks ${picked[region].length} layers in ${region} but ${count} in ${regions[0]}; `
        + 'pass a concrete region in the stack\'s env.');
    }
  }
  const mappingId = `RemotionLayers${variant.replace(/[^a-zA-Z0-9]/g, '')}`;
  const mapping = (stack.node.tryFindChild(mappingId) as CfnMapping | undefined) ?? new CfnMapping(stack, mappingId, {
    mapping: Object.fromEntries(regions.map((region) =>
      [region, Object.fromEntries(picked[region].map((arn, index) => [`layer${index}`, arn]))])),
  });
  const ruleId = 'RemotionLayersRegion';
  if (!stack.node.tryFindChild(ruleId)) {
    new CfnRule(stack, ruleId, {
      assertions: [{
        assert: Fn.conditionContains(regions, stack.region),
        assertDescription: `Remotion ${facts.version} hosts its Lambda layers only in ${regions.join(', ')}; `
          + 'deploy RemotionLambda to one of these regions.',
      }],
    });
  }
  return Array.from({ length: count }, (_, index) => mapping.findInMap(stack.region, `layer${index}`));
}

function versioned(layer: { layerArn: string; version: number }): string {
  return `${layer.layerArn}:${layer.version}`;
}
