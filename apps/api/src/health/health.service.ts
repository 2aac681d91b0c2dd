import { Injectable } from '@nestjs/common';
import type { HealthCheckView, HealthView } from '@clipline/contracts';
import { StorageService } from '@clipline/storage';
import { DataSource } from 'typeorm';
import { ApiRedis } from '../common/redis.provider';
import { WorkerStatusService } from './worker-status.service';

const CHECK_TIMEOUT_MS = 3000;

export type Check = HealthCheckView;

async function timed(fn: () => Promise<unknown>): Promise<Check> {
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { ok: true, latencyMs: Date.now() - t0 };
  } catch (err) {
    return { ok: false, latencyMs: Date.now() - t0, error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `error` when a dependency fails (nothing can work); `degraded` when the
 * system runs but some work will not finish, or not fully: a stage nobody
 * serves while jobs wait for it, a worker without its model.
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly db: DataSource,
    private readonly redis: ApiRedis,
    private readonly storage: StorageService,
    private readonly workers: WorkerStatusService,
  ) {}

  async report(): Promise<HealthView> {
    const [postgres, redis, s3] = await Promise.all([
      timed(() => this.db.query('SELECT 1')),
      timed(async () => {
        if (this.redis.client.status === 'wait') await this.redis.client.connect();
        await this.redis.client.ping();
      }),
      timed(() => this.storage.ping()),
    ]);
    const ok = postgres.ok && redis.ok && s3.ok;
    const workers = postgres.ok ? await this.workers.summary().catch(() => null) : null;
    const reasons = workers?.reasons ?? [];
    const status = !ok ? 'error' : reasons.length ? 'degraded' : 'ok';
    return {
      status,
      ...(reasons.length ? { reasons } : {}),
      checks: { postgres, redis, s3 },
      workers: workers?.stages ?? null,
    };
  }
}
