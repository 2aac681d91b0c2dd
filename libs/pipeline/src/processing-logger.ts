import { redactSecrets } from '@clipline/contracts';
import { ProcessingLogEntity, type LogEvent } from '@clipline/database';
import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';

export const WORKER_HOST = `${hostname()}:${process.pid}`;

/** Writes processing_logs rows; logging must never fail the work it describes. */
export class ProcessingLogger {
  constructor(private readonly ds: DataSource) {}

  async write(
    jobId: string,
    stage: string,
    attempt: number,
    event: LogEvent,
    message: string,
    extra: { command?: string; durationMs?: number } = {},
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
        durationMs: extra.durationMs ?? null,
        workerHost: WORKER_HOST,
      });
    } catch (err) {
      // A job deleted mid-stage makes the FK fail; that is not worth crashing over.
      console.warn(`processing_logs write failed: ${(err as Error).message}`);
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
