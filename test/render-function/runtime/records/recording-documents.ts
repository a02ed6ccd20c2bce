import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** One request as the store or the limits sent it: the command's name and its input. */
export interface SentCommand {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/**
 * Stands in for the document client's `send`, the one method the store and the limits call:
 * keeps each request and answers the next of `answers` (an output, or an error to throw), `{}`
 * when none is left. The commands are the real ones of `@aws-sdk/lib-dynamodb`; moto tests run
 * the same requests against a table.
 */
export class RecordingDocuments {
  readonly sent: SentCommand[] = [];
  readonly answers: Array<Record<string, unknown> | Error> = [];

  get client(): DynamoDBDocumentClient {
    return this as unknown as DynamoDBDocumentClient;
  }

  async send(command: { readonly constructor: { readonly name: string }; readonly input: Record<string, unknown> }): Promise<unknown> {
    this.sent.push({ command: command.constructor.name, input: command.input });
    const answer = this.answers.shift() ?? {};
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

/** DynamoDB's answer to a write whose condition failed; `item` is the raw item, as with `ALL_OLD`. */
export function conditionFailed(item?: Record<string, unknown>): Error {
  return Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException', Item: item });
}
