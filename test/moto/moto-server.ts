/**
 * moto in server mode on a free loopback port, for tests that need a real DynamoDB API.
 * `scripts/moto.sh install` puts the pinned moto into .venv-moto/ (scripts/test-all.sh runs it);
 * each test file starts its own server in `beforeAll` and stops it in `afterAll`, so files that
 * jest runs in parallel never share tables.
 * The server is our launcher serialized_moto.py, not `moto_server`: moto applies one request at a
 * time there, so a conditional write is atomic as in DynamoDB (moto's threaded server lets two
 * concurrent conditional writes on one key both succeed). serialized-moto.test.ts checks that.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

const MOTO_PYTHON = path.join(__dirname, '..', '..', '.venv-moto', 'bin', 'python');
const LAUNCHER = path.join(__dirname, 'serialized_moto.py');
const READY_TIMEOUT_MS = 20_000;

/** Credentials moto accepts; they never leave loopback. */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

export class MotoServer {
  /** Starts moto and resolves once it answers. */
  static async start(): Promise<MotoServer> {
    if (!existsSync(MOTO_PYTHON)) {
      throw new Error(`${MOTO_PYTHON} is missing: run scripts/moto.sh install (scripts/test-all.sh does)`);
    }
    const port = await freePort();
    const child = spawn(MOTO_PYTHON, [LAUNCHER, String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    const server = new MotoServer(child, `http://127.0.0.1:${port}`);
    try {
      await server.waitUntilReady();
    } catch (error) {
      await server.stop();
      throw new Error(`moto did not start on port ${port}: ${(error as Error).message}\n${output}`);
    }
    return server;
  }

  private exited = false;

  private constructor(private readonly child: ChildProcess, readonly url: string) {
    child.once('exit', () => {
      this.exited = true;
    });
  }

  /** The environment that points the AWS SDK at this server for the services moto serves here. */
  sdkEnvironment(): Record<string, string> {
    return {
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_DYNAMODB: this.url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: this.url,
      AWS_ENDPOINT_URL_SQS: this.url,
    };
  }

  /** Forgets every resource (moto's reset API), so tests do not see each other's tables. */
  async reset(): Promise<void> {
    const response = await fetch(`${this.url}/moto-api/reset`, { method: 'POST' });
    if (!response.ok) throw new Error(`moto reset answered ${response.status}`);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error('the moto server exited');
      try {
        const response = await fetch(`${this.url}/moto-api/data.json`);
        if (response.ok) return;
        lastError = new Error(`status ${response.status}`);
      } catch (error) {
        lastError = error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`not ready after ${READY_TIMEOUT_MS} ms (${String(lastError)})`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
