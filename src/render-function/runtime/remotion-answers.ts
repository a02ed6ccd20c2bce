// Only the handler bundle loads this file, and esbuild inlines valibot; the construct never imports it.
import * as v from 'valibot';
import { RENDER_ID_PATTERN } from './request';
import { isBucketName } from '../../private/patterns';

/**
 * Raised when Remotion's client returns something other than what it documents. Answered as 502:
 * a 202 with `renders/undefined`, or a status built from garbage, would mislead the caller.
 */
export class RemotionAnswerError extends Error {
  constructor(routine: string, issues: readonly v.BaseIssue<unknown>[]) {
    const where = issues.slice(0, 3).map((issue) => `${issue.path?.map((item) => String(item.key)).join('.') || 'answer'}: ${issue.message}`);
    super(`Remotion's ${routine} answer is not what its client documents (${where.join('; ')})`);
    this.name = 'RemotionAnswerError';
  }
}

const startAnswerSchema = v.object({
  renderId: v.pipe(v.string('must be a string'), v.regex(RENDER_ID_PATTERN, 'must be 1 to 32 letters or digits')),
  bucketName: v.pipe(v.string('must be a string'), v.check(isBucketName, 'must be an S3 bucket name')),
});

/** What `renderMediaOnLambda` documents, reduced to what the handler uses. */
export type StartAnswer = v.InferOutput<typeof startAnswerSchema>;

const nullableString = v.nullish(v.string('must be a string or null'));

const progressAnswerSchema = v.object({
  done: v.boolean('must be a boolean'),
  overallProgress: v.pipe(v.number('must be a number'), v.finite('must be finite')),
  fatalErrorEncountered: v.boolean('must be a boolean'),
  errors: v.array(v.object({
    message: v.string('must be a string'),
    chunk: v.nullable(v.number('must be a number or null')),
    isFatal: v.boolean('must be a boolean'),
  }), 'must be an array'),
  outputFile: nullableString,
  outBucket: nullableString,
  outKey: nullableString,
  costs: v.optional(v.object({
    accruedSoFar: v.pipe(v.number('must be a number'), v.finite('must be finite')),
    currency: v.string('must be a string'),
  })),
  timeoutTimestamp: v.optional(v.pipe(v.number('must be a number'), v.finite('must be finite'))),
  renderMetadata: v.nullish(v.object({
    privacy: v.optional(v.picklist(['public', 'private', 'no-acl'], 'must be public, private or no-acl')),
    metadata: v.nullish(v.record(v.string(), v.string('must be a string'))),
  })),
});

/** What `getRenderProgress` documents, reduced to what the handler uses. */
export type ProgressAnswer = v.InferOutput<typeof progressAnswerSchema>;

export function checkStartAnswer(answer: unknown): StartAnswer {
  const checked = v.safeParse(startAnswerSchema, answer);
  if (!checked.success) throw new RemotionAnswerError('start', checked.issues);
  return checked.output;
}

export function checkProgressAnswer(answer: unknown): ProgressAnswer {
  const checked = v.safeParse(progressAnswerSchema, answer);
  if (!checked.success) throw new RemotionAnswerError('progress', checked.issues);
  return checked.output;
}
