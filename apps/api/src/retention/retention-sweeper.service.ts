import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import { objectKeys, StorageService } from '@clipline/storage';
import { DataSource, type EntityManager } from 'typeorm';

/** Any constant works; it only has to be the same in every API instance. */
const RETENTION_LOCK_KEY = 0x636c7274; // "clrt"
/** Jobs per kind per pass; the next pass takes the rest. */
const BATCH = 100;

export interface SweepReport {
  /** Jobs whose source is now marked gone (the object deleted unless another live job uses it). */
  sources: string[];
  /** Jobs whose clip objects were deleted. */
  clips: string[];
}

/**
 * Deletes what retention says has expired: a job's source `sourceDays` after
 * the job ended, its clips `clipDays` after. Runs in the API on a timer under
 * a transaction-scoped advisory lock, so one instance sweeps at a time; the
 * rows are also locked (SKIP LOCKED) so a re-run taking the job row waits or
 * is skipped, never half-swept. Marks (`source_deleted_at`, `clips_deleted_at`)
 * are set in the transaction that held the lock, after the objects are gone:
 * a crash before commit leaves them unmarked, and the next pass deletes again
 * (deleting a missing key is a no-op), so a pass is idempotent.
 */
@Injectable()
export class RetentionSweeperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(RetentionSweeperService.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly db: DataSource,
    private readonly storage: StorageService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweepOnce().catch((err: Error) =>
        this.log.warn(`retention sweep failed: ${err.message}`),
      );
    }, this.cfg.RETENTION_SWEEP_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass; an empty report when another instance holds the lock. */
  async sweepOnce(): Promise<SweepReport> {
    return this.db.transaction(async (tx) => {
      const [{ locked }] = (await tx.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        RETENTION_LOCK_KEY,
      ])) as Array<{ locked: boolean }>;
      if (!locked) return { sources: [], clips: [] };
      const report = { sources: await this.sweepSources(tx), clips: await this.sweepClips(tx) };
      if (report.sources.length || report.clips.length) {
        this.log.log(
          `retention: deleted ${report.sources.length} source(s) and the clips of ${report.clips.length} job(s)`,
        );
      }
      return report;
    });
  }

  private expired(tx: EntityManager, kind: 'source' | 'clips') {
    const [days, fallback, mark] =
      kind === 'source'
        ? ['sourceDays', this.cfg.RETENTION_SOURCE_DAYS, 'source_deleted_at']
        : ['clipDays', this.cfg.RETENTION_CLIP_DAYS, 'clips_deleted_at'];
    // Jobs from before retention have no options.retention and take today's default.
    return tx.query(
      `SELECT id, source_key FROM jobs
        WHERE finished_at IS NOT NULL AND ${mark} IS NULL
          AND finished_at + make_interval(days => COALESCE((options->'retention'->>'${days}')::int, $1)) <= now()
        ORDER BY finished_at
        LIMIT ${BATCH}
        FOR UPDATE SKIP LOCKED`,
      [fallback],
    ) as Promise<Array<{ id: string; source_key: string }>>;
  }

  private async sweepSources(tx: EntityManager): Promise<string[]> {
    const done: string[] = [];
    for (const job of await this.expired(tx, 'source')) {
      // A creator may start a job from the source of an earlier one (POST /v1/jobs
      // with sourceKey): the object stays while a job that still keeps it uses it.
      const [{ shared }] = (await tx.query(
        `SELECT EXISTS (SELECT 1 FROM jobs WHERE source_key = $1 AND id <> $2 AND source_deleted_at IS NULL) AS shared`,
        [job.source_key, job.id],
      )) as Array<{ shared: boolean }>;
      try {
        if (!shared) await this.storage.deleteKeys([job.source_key]);
      } catch (err) {
        this.log.warn(
          `retention: could not delete the source of ${job.id}: ${(err as Error).message}`,
        );
        continue;
      }
      await tx.query(`UPDATE jobs SET source_deleted_at = now() WHERE id = $1`, [job.id]);
      done.push(job.id);
    }
    return done;
  }

  private async sweepClips(tx: EntityManager): Promise<string[]> {
    const done: string[] = [];
    for (const job of await this.expired(tx, 'clips')) {
      try {
        // The whole folder: also the objects of attempts that lost their lease.
        await this.storage.deletePrefix(`${objectKeys.jobPrefix(job.id)}clips/`);
      } catch (err) {
        this.log.warn(
          `retention: could not delete the clips of ${job.id}: ${(err as Error).message}`,
        );
        continue;
      }
      await tx.query(`UPDATE jobs SET clips_deleted_at = now() WHERE id = $1`, [job.id]);
      done.push(job.id);
    }
    return done;
  }
}
