import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import {
  redactSecrets,
  WORKER_STAGES,
  type StageWorkers,
  type WorkerStage,
  type WorkerView,
} from '@clipline/contracts';
import { DataSource } from 'typeorm';

interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  app: string;
  stage: string;
  version: string;
  live: boolean;
  current_work: string[];
  degraded: string | null;
  started_at: Date;
  heartbeat_at: Date;
  stopped_at: Date | null;
}

const API_STARTED = Date.now();

/**
 * The worker registry as operators see it. Liveness is judged by the
 * database's clock against the heartbeat the worker wrote with it, so hosts
 * with skewed clocks still agree.
 */
@Injectable()
export class WorkerStatusService {
  constructor(
    private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  /** Three missed beats and a worker no longer counts as live. */
  private get liveSeconds(): number {
    return 3 * this.cfg.HEARTBEAT_SECONDS;
  }

  /** Live workers first, then the most recently seen; gone ones stay listed a while. */
  async list(): Promise<WorkerView[]> {
    const rows = (await this.db.query(
      `SELECT *, (stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => $1)) AS live
         FROM workers
        ORDER BY live DESC, stage, COALESCE(stopped_at, heartbeat_at) DESC
        LIMIT 500`,
      [this.liveSeconds],
    )) as WorkerRow[];
    return rows.map((r) => ({
      id: r.id,
      host: r.host,
      pid: r.pid,
      app: r.app,
      stage: r.stage,
      version: r.version,
      live: r.live,
      currentWork: r.current_work,
      degraded: r.degraded === null ? null : redactSecrets(r.degraded),
      startedAt: r.started_at.toISOString(),
      heartbeatAt: r.heartbeat_at.toISOString(),
      stoppedAt: r.stopped_at?.toISOString() ?? null,
    }));
  }

  /** Per stage: live workers, waiting jobs, and why the system is degraded (empty when it is not). */
  async summary(): Promise<{ stages: Record<WorkerStage, StageWorkers>; reasons: string[] }> {
    const [seen, waiting, notes] = await Promise.all([
      this.db.query(
        `SELECT stage,
                COUNT(*) FILTER (WHERE stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => $1))::int AS live,
                MAX(COALESCE(stopped_at, heartbeat_at)) AS last_seen,
                EXTRACT(EPOCH FROM now() - MAX(COALESCE(stopped_at, heartbeat_at)))::float AS absent
           FROM workers GROUP BY stage`,
        [this.liveSeconds],
      ) as Promise<Array<{ stage: string; live: number; last_seen: Date; absent: number }>>,
      this.db.query(
        `SELECT s.stage, COUNT(*)::int AS n
           FROM job_stages s JOIN jobs j ON j.id = s.job_id
          WHERE s.status IN ('queued', 'running') AND j.status IN ('queued', 'running')
          GROUP BY s.stage`,
      ) as Promise<Array<{ stage: string; n: number }>>,
      this.db.query(
        `SELECT stage, degraded, COUNT(*)::int AS n FROM workers
          WHERE degraded IS NOT NULL AND stopped_at IS NULL
            AND heartbeat_at > now() - make_interval(secs => $1)
          GROUP BY stage, degraded ORDER BY stage`,
        [this.liveSeconds],
      ) as Promise<Array<{ stage: string; degraded: string; n: number }>>,
    ]);
    const reasons: string[] = [];
    const stages = {} as Record<WorkerStage, StageWorkers>;
    for (const stage of WORKER_STAGES) {
      const s = seen.find((r) => r.stage === stage);
      const n = waiting.find((r) => r.stage === stage)?.n ?? 0;
      stages[stage] = {
        live: s?.live ?? 0,
        waiting: n,
        lastSeenAt: s?.last_seen?.toISOString() ?? null,
      };
      if ((s?.live ?? 0) > 0 || n === 0) continue;
      // Never seen: counted from the API's start, so a fresh start gives workers time to come up.
      const absent = s ? s.absent : (Date.now() - API_STARTED) / 1000;
      if (absent < this.cfg.WORKER_ABSENT_SECONDS) continue;
      const jobs = `${n} job${n === 1 ? '' : 's'} wait${n === 1 ? 's' : ''}`;
      reasons.push(
        s
          ? `${stage}: no live worker for ${Math.round(absent)} s while ${jobs} for it`
          : `${stage}: no worker has registered while ${jobs} for it`,
      );
    }
    for (const d of notes) {
      reasons.push(
        `${d.stage}: ${redactSecrets(d.degraded)} (${d.n} worker${d.n === 1 ? '' : 's'})`,
      );
    }
    return { stages, reasons };
  }
}
