import { redactSecrets } from '@clipline/contracts';
import { ProcessingLogEntity, type LogEvent } from '@clipline/database';
import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';
import { appLogger } from './app-logger';

export const WORKER_HOST = `${hostname()}:${process.pid}`;

const STACK_FRAMES = 8;

/** The error line and the innermost frames: enough to find the throw, small enough to store per attempt. */
export function stackTail(err: unknown): string | null {
  const stack = err instanceof Error ? err.stack : undefined;
  if (!stack) return null;
  const lines = stack.split('\n');
  const first = lines.findIndex((l) => /^\s+at /.test(l));
  if (first < 0) return lines.slice(0, STACK_FRAMES + 1).join('\n');
  return [...lines.slice(0, first).slice(0, 3), ...lines.slice(first, first + STACK_FRAMES)].join(
    '\n',
  );
}

/** Writes processing_logs rows; logging must never fail the work it describes. */
export class ProcessingLogger {
  constructor(private readonly ds: DataSource) {}

  async write(
    jobId: string,
    stage: string,
    attempt: number,
    event: LogEvent,
    message: string,
    extra: { command?: string; durationMs?: number; details?: string | null } = {},
  ): Promise<void> {
    try {
      await this.ds.getRepository(ProcessingLogEntity).insert({
        jobId,
        stage,
        attempt,
        event,
        // Logs are shown to creators: no presigned URLs or server paths in them.
        message: redactSecrets(message).slice(0, 4000),
        command: extra.command ? redactSecrets(extra.command).slice(0, 8000) : null,
        details: extra.details ? redactSecrets(extra.details).slice(0, 4000) : null,
        durationMs: extra.durationMs ?? null,
        workerHost: WORKER_HOST,
      });
    } catch (err) {
      // A job deleted mid-stage makes the FK fail; that is not worth crashing over.
      appLogger().warn(
        { jobId, stage, attempt, worker: WORKER_HOST, err },
        `processing_logs write failed: ${(err as Error).message}`,
      );
    }
  }

  /** A row for an external command a stage ran, titled with the program's name. */
  command(
    jobId: string,
    stage: string,
    attempt: number,
    label: string,
    commandLine: string,
  ): Promise<void> {
    const program = commandLine.split(' ')[0].split('/').pop();
    return this.write(jobId, stage, attempt, 'command', `${label}: ran ${program}`, {
      command: commandLine,
    });
  }
}
