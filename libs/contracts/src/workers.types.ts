/** One worker process as `GET /v1/ops/workers` shows it. */
export interface WorkerView {
  id: string;
  host: string;
  pid: number;
  app: string;
  stage: string;
  version: string;
  live: boolean;
  currentWork: string[];
  degraded: string | null;
  startedAt: string;
  heartbeatAt: string;
  stoppedAt: string | null;
}

/** The workers of one stage, as `/health` and the ops page count them. */
export interface StageWorkers {
  live: number;
  /** Jobs whose stage is queued or running and so needs a worker of this kind. */
  waiting: number;
  lastSeenAt: string | null;
}

/** `GET /v1/ops/workers`. */
export interface WorkersReport {
  workers: WorkerView[];
  stages: Record<string, StageWorkers>;
  reasons: string[];
}
