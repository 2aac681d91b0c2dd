import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './stack';

const ROOT = join(__dirname, '..', '..');

/** The API run from its TypeScript sources as a process of its own. */
export interface ApiProcess {
  child: ChildProcess;
  url: string;
  /** Everything it printed so far, stdout and stderr. */
  readonly output: string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

export async function healthy(url: string): Promise<boolean> {
  const res = await fetch(`${url}/health`).catch(() => null);
  return res?.status === 200;
}

/**
 * Starts the API on a free port with `env` over this process's environment and
 * waits (`polls` × 200 ms at most) until it answers /health. Only a process
 * of its own shows what the in-process app hides: its memory, or a crash.
 */
export async function spawnApi(env: NodeJS.ProcessEnv, polls: number): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      'apps/api/src/main.ts',
    ],
    {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; !(await healthy(url)); i++) {
    if (child.exitCode !== null || i > polls) throw new Error(`API did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    url,
    get output() {
      return output;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
