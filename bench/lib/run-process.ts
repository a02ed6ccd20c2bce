import { spawn } from 'node:child_process';

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock time from spawn() to the 'close' event. */
  readonly wallMs: number;
  readonly timedOut: boolean;
}

const MAX_CAPTURE_CHARS = 256 * 1024;

/** Runs a process with a hard timeout, keeping at most the last 256 KiB of each stream. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs: number },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const keep = (text: string) => (text.length > MAX_CAPTURE_CHARS ? text.slice(-MAX_CAPTURE_CHARS) : text);
    child.stdout.on('data', (chunk: Buffer) => { stdout = keep(stdout + chunk.toString('utf8')); });
    child.stderr.on('data', (chunk: Buffer) => { stderr = keep(stderr + chunk.toString('utf8')); });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code, signal, stdout, stderr, wallMs, timedOut });
    });
  });
}

/** The JSON object a child printed after `marker`, or undefined. */
export function markedJson<T>(stdout: string, marker: string): T | undefined {
  const at = stdout.lastIndexOf(marker);
  if (at < 0) return undefined;
  const line = stdout.slice(at + marker.length).split('\n', 1)[0];
  return JSON.parse(line) as T;
}
