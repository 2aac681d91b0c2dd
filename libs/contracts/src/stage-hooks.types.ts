/**
 * What a stage's work may tell its caller while it runs. Stage libs stay plain
 * TypeScript; the worker turns these into job_stages rows, processing_logs rows
 * and socket.io events.
 */
export interface StageHooks {
  /** 0..1 of this stage's work. */
  onProgress?(fraction: number): void;
  /** An external command line the work ran (ffmpeg, pocketsphinx, ...), for processing_logs. */
  onCommand?(commandLine: string): void;
  /** Free-form note worth keeping in processing_logs. */
  onLog?(message: string): void;
  /** Aborts long work when the job is cancelled or the lock is lost. */
  signal?: AbortSignal;
}
