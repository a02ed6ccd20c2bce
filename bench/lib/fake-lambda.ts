import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The smallest stand-in for the Lambda Invoke API that `renderMediaOnLambda` needs: it answers
 * Remotion's `start` routine the way the deployed render function does. Loopback only.
 */
export class BenchFakeLambda {
  static async start(): Promise<BenchFakeLambda> {
    const fake = new BenchFakeLambda();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** Invocations answered, by Remotion routine (`start`, ...). */
  readonly invocations = new Map<string, number>();
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private renders = 0;

  private constructor() {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => this.answer(request, Buffer.concat(chunks).toString('utf8'), response));
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(request: http.IncomingMessage, body: string, response: http.ServerResponse): void {
    const send = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
      response.end(JSON.stringify(payload));
    };
    if (request.method !== 'POST' || !/^\/2015-03-31\/functions\/[^/]+\/invocations$/.test(request.url ?? '')) {
      send(404, { message: `The bench fake does not know ${request.method} ${request.url}` });
      return;
    }
    let payload: { type?: unknown; bucketName?: unknown };
    try {
      payload = JSON.parse(body) as { type?: unknown; bucketName?: unknown };
    } catch {
      send(400, { message: 'Body is not JSON' });
      return;
    }
    const routine = String(payload.type);
    this.invocations.set(routine, (this.invocations.get(routine) ?? 0) + 1);
    if (routine !== 'start') {
      send(200, { type: 'error', message: `The bench fake does not implement ${routine}`, stack: '' });
      return;
    }
    this.renders += 1;
    const bucketName = typeof payload.bucketName === 'string' ? payload.bucketName : 'remotionlambda-useast1-abcdef1234';
    send(200, { type: 'success', renderId: `bench${String(this.renders).padStart(5, '0')}`, bucketName });
  }
}
