import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import { UploadEntity } from '@clipline/database';
import { DataSource, LessThan } from 'typeorm';
import { UploadsService } from './uploads.service';

/** Any constant works; it only has to be the same in every API instance. */
const SWEEP_LOCK_KEY = 0x636c7570; // "clup"

/**
 * Aborts multipart uploads nobody touched for UPLOAD_ABANDON_SECONDS, so S3
 * does not keep (and bill) orphaned parts. A transaction-scoped advisory lock
 * lets one API instance sweep at a time.
 */
@Injectable()
export class UploadSweeperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(UploadSweeperService.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly db: DataSource,
    private readonly service: UploadsService,
  ) {}

  onApplicationBootstrap(): void {
    const everyMs = Math.min(60, Math.max(5, this.cfg.UPLOAD_ABANDON_SECONDS / 4)) * 1000;
    this.timer = setInterval(() => {
      this.sweepOnce().catch((err: Error) => this.log.warn(`upload sweep failed: ${err.message}`));
    }, everyMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Returns the ids it aborted; an empty list when another instance holds the lock. */
  async sweepOnce(): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      const [{ locked }] = (await tx.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        SWEEP_LOCK_KEY,
      ])) as Array<{ locked: boolean }>;
      if (!locked) return [];
      const cutoff = new Date(Date.now() - this.cfg.UPLOAD_ABANDON_SECONDS * 1000);
      const stale = await tx.getRepository(UploadEntity).find({
        where: { status: 'open', updatedAt: LessThan(cutoff) },
        order: { updatedAt: 'ASC' },
        take: 200,
      });
      const aborted: string[] = [];
      for (const row of stale) {
        try {
          await this.service.abortRow(row);
          aborted.push(row.id);
        } catch (err) {
          this.log.warn(`could not abort upload ${row.id}: ${(err as Error).message}`);
        }
      }
      if (aborted.length) this.log.log(`aborted ${aborted.length} abandoned upload(s)`);
      return aborted;
    });
  }
}
