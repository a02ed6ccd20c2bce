// Only the handler bundle loads this file, and esbuild inlines valibot; the construct never imports it.
import * as v from 'valibot';
import type { QueuedRenderMessage } from '../../contract';

const text = v.pipe(v.string(), v.minLength(1));

const messageSchema = v.object({
  v: v.literal(1),
  renderId: text,
  sub: text,
  request: v.object({
    composition: text,
    codec: text,
    // A plain object, as POST /renders accepted it (valibot's record would turn an array into one).
    inputProps: v.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value)),
    outName: text,
  }),
  uniqueId: text,
  completionWebhookUrl: v.optional(v.pipe(v.string(), v.url())),
  queuedAt: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

/**
 * The message as the API sent it, or undefined for anything else: another version, a body that is
 * not JSON, a missing field. Such a message can never be started; the dispatcher leaves it to
 * SQS's redrive, which takes it to the dead-letter queue.
 */
export function parseQueuedMessage(body: string): QueuedRenderMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const checked = v.safeParse(messageSchema, parsed);
  return checked.success ? checked.output as QueuedRenderMessage : undefined;
}
