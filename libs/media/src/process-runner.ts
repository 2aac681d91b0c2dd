import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';

export interface RunOptions {
  /** Called once with the full command line, for processing_logs. */
  onCommand?: (commandLine: string) => void;
  /** Called with each stderr line (ffmpeg progress, recogniser logs). */
  onStderrLine?: (line: string) => void;
  signal?: AbortSignal;
  /** Keep at most this many bytes of stderr for error messages. */
  stderrTail?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** OS scheduling priority of the child (0 normal, 19 lowest); only lowering is allowed. */
  niceness?: number;
}

export interface RunResult {
  code: number;
  stdout: Buffer;
  stderrTail: string;
}

export class ProcessError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
    readonly signalName: string | null,
    readonly stderrTail: string,
  ) {
    super(message);
    this.name = 'ProcessError';
  }
}

export function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** Hides presigned-URL signatures so logs can be shown to users. */
export function redactCommandLine(cmd: string): string {
  return cmd.replace(/(X-Amz-(?:Signature|Credential|Security-Token)=)[^&'\s]+/g, '$1REDACTED');
}

export function commandLine(bin: string, args: string[]): string {
  return redactCommandLine([bin, ...args].map(quoteArg).join(' '));
}

/**
 * Spawns a child and keeps a bounded tail of stderr, so a chatty ffmpeg on a
 * 3-hour source cannot grow memory. The child is killed on abort.
 */
export type TrackedChild = ChildProcess & { done: Promise<RunResult> };

export function spawnTracked(bin: string, args: string[], opts: RunOptions = {}): TrackedChild {
  opts.onCommand?.(commandLine(bin, args));
  const child = spawn(bin, args, {
    cwd: opts.cwd,
    // Unset: the child inherits this process's environment.
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (opts.niceness && child.pid !== undefined) {
    // Best effort: a child that already exited or a platform without nice keeps its priority.
    try {
      setPriority(child.pid, opts.niceness);
    } catch {
      /* priority is an optimisation, never a reason to fail */
    }
  }
  const tailMax = opts.stderrTail ?? 8192;
  let tail = '';
  let partial = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-tailMax);
    if (opts.onStderrLine) {
      const lines = (partial + chunk).split(/\r|\n/);
      partial = lines.pop() ?? '';
      for (const l of lines) if (l) opts.onStderrLine(l);
    }
  });
  const onAbort = () => child.kill('SIGKILL');
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  const done = new Promise<RunResult>((resolve, reject) => {
    child.on('error', (err) =>
      reject(new ProcessError(`${bin}: ${err.message}`, null, null, tail)),
    );
    child.on('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) return reject(new ProcessError(`${bin} aborted`, code, sig, tail));
      resolve({ code: code ?? -1, stdout: Buffer.alloc(0), stderrTail: tail });
    });
  });
  // A caller that stops reading early (an aborted decode loop) may never await
  // `done`; its rejection must not become an unhandled one, which kills the
  // whole worker process and every other job in it.
  done.catch(() => undefined);
  return Object.assign(child, { done });
}

/**
 * Kills a child that is still running and waits until it has exited, so an
 * aborted stage rejects only once its processes are gone.
 */
export async function stopChild(child: TrackedChild): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await child.done.catch(() => undefined);
}

/** Runs a command to the end and collects stdout (for small outputs like ffprobe JSON). */
export async function runCollect(
  bin: string,
  args: string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  const child = spawnTracked(bin, args, opts);
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  const res = await child.done;
  return { ...res, stdout: Buffer.concat(chunks) };
}

/** Like runCollect, but a non-zero exit becomes a ProcessError with the stderr tail. */
export async function runChecked(
  bin: string,
  args: string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  const res = await runCollect(bin, args, opts);
  if (res.code !== 0) {
    const last = res.stderrTail.trim().split('\n').slice(-3).join(' | ');
    throw new ProcessError(
      `${bin.split('/').pop()} exited with code ${res.code}: ${last}`,
      res.code,
      null,
      res.stderrTail,
    );
  }
  return res;
}
