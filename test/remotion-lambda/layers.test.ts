import { CfnOutput, CfnWaitConditionHandle, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readLambdaFacts } from '../../src/remotion/lambda-facts';
import { layerArnsFor } from '../../src/remotion-lambda/layers';
import { INSTALLED_REMOTION, NEWEST_DIR } from '../remotion-versions';
import { newStack } from '../util';

const KINDS = {
  'default': ['fonts', 'chromium', 'emoji-google', 'cjk'],
  'cjk': ['fonts', 'chromium', 'emoji-google', 'cjk'],
  'apple-emojis': ['fonts', 'chromium', 'emoji-apple'],
} as const;

/** The regions of the hosted-layer table of each supported version (a change is a drift to review). */
const REGIONS = {
  floor: ['af-south-1', 'ap-east-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-southeast-1',
    'ap-southeast-2', 'ap-southeast-4', 'ap-southeast-5', 'ca-central-1', 'eu-central-1', 'eu-central-2', 'eu-north-1',
    'eu-south-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'me-south-1', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'],
  newest: ['af-south-1', 'ap-east-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-southeast-1',
    'ap-southeast-2', 'ap-southeast-4', 'ap-southeast-5', 'ca-central-1', 'eu-central-1', 'eu-central-2', 'eu-north-1',
    'eu-south-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'],
};

describe('layer table drift', () => {
  it.each(INSTALLED_REMOTION)('the $name table has the regions we know', ({ name, dir }) => {
    expect(Object.keys(readLambdaFacts(dir).hostedLayers).sort()).toEqual(REGIONS[name]);
  });

  describe.each(INSTALLED_REMOTION)('$name version', ({ dir }) => {
    const facts = readLambdaFacts(dir);
    it.each(Object.keys(KINDS) as (keyof typeof KINDS)[])('picks, for variant %s, the same layer kinds in the same order in every region, hosted by Remotion', (variant) => {
      for (const region of Object.keys(facts.hostedLayers)) {
        const stack = newStack({ env: { region, account: '111122223333' } });
        const arns = layerArnsFor(stack, facts, variant);
        expect(arns.map((arn) => /^arn:aws:lambda:([a-z0-9-]+):678892195805:layer:remotion-binaries-([a-z-]+)-arm64:\d+$/.exec(arn)?.slice(1)))
          .toEqual(KINDS[variant].map((kind) => [region, kind]));
      }
    });
  });
});

describe('layerArnsFor', () => {
  const facts = readLambdaFacts(NEWEST_DIR);

  it('gives the versioned ARNs of the table for a concrete region', () => {
    const stack = newStack({ env: { region: 'eu-west-1', account: '111122223333' } });
    expect(layerArnsFor(stack, facts, 'apple-emojis')).toEqual(facts.layersFor('apple-emojis', 'eu-west-1').map((l) => `${l.layerArn}:${l.version}`));
  });

  it('fails synth in a concrete region without layers, naming the regions that have them', () => {
    const stack = newStack({ env: { region: 'cn-north-1', account: '111122223333' } });
    expect(() => layerArnsFor(stack, facts, 'default')).toThrow(
      `Remotion 4.0.527 hosts no Lambda layers in cn-north-1, so RemotionLambda cannot be deployed there. Regions with layers: ${REGIONS.newest.join(', ')}.`);
  });

  it('maps every region of the table and adds a rule that fails deployment elsewhere in a region-agnostic stack', () => {
    const stack = new Stack();
    const arns = layerArnsFor(stack, facts, 'default');
    // A template cfn-lint accepts: one resource, and the mapping in use.
    new CfnWaitConditionHandle(stack, 'Placeholder');
    new CfnOutput(stack, 'Layers', { value: Fn.join(',', arns) });
    expect(stack.resolve(arns)).toEqual([0, 1, 2, 3].map((index) =>
      ({ 'Fn::FindInMap': ['RemotionLayersdefault', { Ref: 'AWS::Region' }, `layer${index}`] })));
    const template = Template.fromStack(stack).toJSON();
    expect(Object.keys(template.Mappings.RemotionLayersdefault).sort()).toEqual(REGIONS.newest);
    expect(template.Mappings.RemotionLayersdefault['us-east-1']).toEqual(Object.fromEntries(
      facts.layersFor('default', 'us-east-1').map((l, index) => [`layer${index}`, `${l.layerArn}:${l.version}`])));
    expect(template.Rules.RemotionLayersRegion).toEqual({
      Assertions: [{
        Assert: { 'Fn::Contains': [REGIONS.newest, { Ref: 'AWS::Region' }] },
        AssertDescription: `Remotion 4.0.527 hosts its Lambda layers only in ${REGIONS.newest.join(', ')}; deploy RemotionLambda to one of these regions.`,
      }],
    });
  });
});
