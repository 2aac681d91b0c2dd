import type { WorkerStage } from '@clipline/contracts';

/** A stage, clip or part that became runnable inside a transaction; enqueued after commit. */
export type Runnable =
  | {
      kind: 'stage';
      jobId: string;
      stage: Exclude<WorkerStage, 'rendering'>;
      attempt: number;
      delayMs?: number;
    }
  | {
      kind: 'clip';
      jobId: string;
      clipId: string;
      segmentId: string;
      aspect: string;
      attempt: number;
      delayMs?: number;
    }
  | {
      kind: 'part';
      jobId: string;
      stage: Exclude<WorkerStage, 'rendering'>;
      partId: string;
      attempt: number;
      delayMs?: number;
    };
