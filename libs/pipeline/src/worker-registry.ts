import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import type { WorkerStage } from '@clipline/contracts';
import { WorkerEntity } from '@clipline/database';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { DataSource } from 'typeorm';

/** Which stage each worker app serves. */
export const WORKER_APP_STAGES: Record<string, WorkerStage> = {
  'transcription-worker': 'transcription',
  'silence-worker': 'silence',
  'layout-worker': 'layout',
  'segmenting-worker': 'segmenting',
  'render-worker': 'rendering',
};

// Module state, so the runner and processors report without being wired to the registry.
const currentWork = new Map<number, string>();
let nextWork = 0;
let degradedReason: string | null = null;

/** Marks a unit of work as in progress in this process; call the result when it ends. */
export function trackWork(label: string): () => void {
  const id = nextWork++;
  currentWork.set(id, label);
  return () => void currentWork.delete(id);
}

/** Says why this process works below its full ability (null: it does not); shown on /health. */
export function reportDegraded(reason: string | null): void {
  degradedReason = reason;
}

function readVersion(override: string | undefined): string {
  // The same lookup from src (ts-node) and from dist/: the nearest package.json upwards.
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'clipline') return override || pkg.version || 'unknown';
  }
  return override || 'unknown';
}

/** Rows of processes gone longer than this are removed; until then they say when a stage was last served. */
const FORGET_AFTER = '7 days';

/**
 * A worker process's row in `workers`: inserted at start, refreshed every
 * HEARTBEAT_SECONDS with what it is doing, marked stopped on a clean
 * shutdown. A killed process simply stops heartbeating.
 */
@Injectable()
export class WorkerRegistry implements BeforeApplicationShutdown {
  private readonly log = new Logger('WorkerRegistry');
  private id: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private failing = false;

  constructor(
    @Inject(getDataSourceToken()) private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  async start(app: string): Promise<void> {
    const stage = WORKER_APP_STAGES[app];
    if (!stage) throw new Error(`unknown worker app ${app}`);
    const host = hostname();
    const repo = this.ds.getRepository(WorkerEntity);
    // A restarted container can reuse a pid: an older row of the same process is over.
    await repo.query(
      `UPDATE workers SET stopped_at = heartbeat_at WHERE host = $1 AND pid = $2 AND stopped_at IS NULL`,
      [host, process.pid],
    );
    await repo.query(
      `DELETE FROM workers WHERE COALESCE(stopped_at, heartbeat_at) < now() - interval '${FORGET_AFTER}'`,
    );
    const [row] = (await repo.query(
      `INSERT INTO workers (host, pid, app, stage, version, current_work, degraded, started_at, heartbeat_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now()) RETURNING id`,
      [
        host,
        process.pid,
        app,
        stage,
        readVersion(this.cfg.CLIPLINE_VERSION),
        JSON.stringify(this.work()),
        degradedReason,
      ],
    )) as Array<{ id: string }>;
    this.id = row.id;
    this.timer = setInterval(() => void this.beat(), this.cfg.HEARTBEAT_SECONDS * 1000);
    this.timer.unref();
  }

  private work(): string[] {
    return [...currentWork.values()];
  }

  private async beat(): Promise<void> {
    try {
      await this.ds.query(
        `UPDATE workers SET heartbeat_at = now(), current_work = $2, degraded = $3, stopped_at = NULL WHERE id = $1`,
        [this.id, JSON.stringify(this.work()), degradedReason],
      );
      if (this.failing) this.log.log('registry heartbeat works again');
      this.failing = false;
    } catch (err) {
      // Postgres outages are the runner's business; say it once, not every beat.
      if (!this.failing) this.log.warn(`registry heartbeat failed: ${(err as Error).message}`);
      this.failing = true;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    if (!this.id) return;
    await this.ds
      .query(`UPDATE workers SET stopped_at = now(), current_work = '[]' WHERE id = $1`, [this.id])
      .catch(() => undefined);
    this.id = null;
  }
}
