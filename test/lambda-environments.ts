/**
 * TEST HARNESS: Lambda execution environments as `node` processes, for running a bundled handler
 * the way Lambda does. Each environment imports the bundle (an ES module exporting `handler`)
 * once and handles one invocation at a time; an invocation takes an idle environment or starts a
 * new one (a cold start), and an environment that dies is never reused. `killBusy()` kills the
 * environments in the middle of an invocation, as a crash or a timeout would: their invocations
 * reject, and the SQS event source (test/moto/sqs-event-source.ts) then fails the whole batch, as
 * Lambda does. `invoke` has the shape of an `SqsBatchHandler`.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** One environment: imports the bundle, says 'ready', then answers `{id, event}` messages one at a time. */
const ENVIRONMENT_SCRIPT = `
const { handler } = await import(process.env.BUNDLE_URL);
process.on('message', async ({ id, event }) => {
  try {
    const result = await handler(event, { awsRequestId: 'invocation-' + id });
    process.send({ id, ok: true, result: result ?? null });
  } catch (error) {
    process.send({ id, ok: false, error: { name: error?.name, message: error?.message } });
  }
});
process.send('ready');
`;

interface Environment {
  readonly child: ChildProcess;
  busy: boolean;
  /** The bundle is imported: a busy environment runs the handler. */
  ready: boolean;
  stderr: string;
}

type Answer = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { name?: string; message?: string } };

export class LambdaEnvironments {
  private readonly environments: Environment[] = [];
  private invocationCount = 0;
  private coldStartCount = 0;

  /**
   * @param bundleUrl the `file:` URL of the bundled handler module
   * @param env the whole environment of each process (nothing of this process's own is passed)
   */
  constructor(private readonly bundleUrl: string, private readonly env: Record<string, string | undefined>) {}

  /** How many environments were started so far. */
  get coldStarts(): number {
    return this.coldStartCount;
  }

  /** How many environments are running the handler now (their cold start done). */
  get handling(): number {
    return this.environments.filter((environment) => environment.busy && environment.ready && alive(environment)).length;
  }

  /** The process ids of the environments alive now. */
  get pids(): number[] {
    return this.environments.filter(alive).map((environment) => environment.child.pid ?? -1);
  }

  /** Runs one invocation in an idle environment (or a new one); resolves with what the handler returned, or rejects. */
  async invoke<T>(event: unknown): Promise<T> {
    // Marked busy before any await, so two invocations never share an environment.
    const idle = this.environments.find((candidate) => !candidate.busy && alive(candidate));
    if (idle) idle.busy = true;
    const environment = idle ?? await this.coldStart();
    const id = ++this.invocationCount;
    try {
      const answer = await new Promise<Answer>((resolve, reject) => {
        const onExit = (code: number | null, signal: string | null) => {
          environment.child.off('message', onMessage);
          reject(new Error(`The Lambda environment ended during the invocation (${signal ?? code}):\n${environment.stderr}`));
        };
        const onMessage = (message: Answer) => {
          if (message.id !== id) return;
          environment.child.off('exit', onExit);
          environment.child.off('message', onMessage);
          resolve(message);
        };
        environment.child.once('exit', onExit);
        environment.child.on('message', onMessage);
        environment.child.send({ id, event });
      });
      if (!answer.ok) throw Object.assign(new Error(answer.error.message), { name: answer.error.name ?? 'Error' });
      return answer.result as T;
    } finally {
      environment.busy = false;
    }
  }

  /** Kills (SIGKILL) every environment that is in the middle of an invocation or its cold start; resolves once they are gone. */
  async killBusy(): Promise<void> {
    const busy = this.environments.filter((environment) => environment.busy && alive(environment));
    await Promise.all(busy.map((environment) => kill(environment.child)));
  }

  /** Kills every environment. */
  async close(): Promise<void> {
    await Promise.all(this.environments.filter(alive).map((environment) => kill(environment.child)));
  }

  private async coldStart(): Promise<Environment> {
    this.coldStartCount += 1;
    const child = spawn(process.execPath, ['--input-type=module', '-e', ENVIRONMENT_SCRIPT], {
      env: { ...this.env, BUNDLE_URL: this.bundleUrl }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const environment: Environment = { child, busy: true, ready: false, stderr: '' };
    this.environments.push(environment);
    child.stderr?.on('data', (chunk: Buffer) => {
      environment.stderr = (environment.stderr + chunk.toString()).slice(-4000);
    });
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`A Lambda environment exited (${code}) before it was ready:\n${environment.stderr}`));
      child.once('exit', onExit);
      child.once('message', () => {
        child.off('exit', onExit);
        environment.ready = true;
        resolve();
      });
    });
    return environment;
  }
}

function alive(environment: Environment): boolean {
  return environment.child.exitCode === null && environment.child.signalCode === null;
}

function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return exited;
}
