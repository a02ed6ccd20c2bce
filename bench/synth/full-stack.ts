/** Synth child: examples/full-stack.ts, RemotionLambda (Remotion's function, bucket, site) + the API. */
import { timeSynth } from './common';
import { FullStack } from '../../examples/full-stack';

timeSynth((app) => new FullStack(app, 'BenchFullStack', { env: { region: 'us-east-1' }, compositions: ['Intro', 'Outro'] }));
