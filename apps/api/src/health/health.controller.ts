import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { StorageService } from '@clipline/storage';
import type { ServerResponse } from 'node:http';
import { DataSource } from 'typeorm';
import { Public } from '../auth/roles.decorator';
import { ApiRedis } from '../common/redis.provider';

const CHECK_TIMEOUT_MS = 3000;

interface Check {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

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

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly db: DataSource,
    private readonly redis: ApiRedis,
    private readonly storage: StorageService,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Checks Postgres, Redis and S3; 503 when any fails (no key needed)' })
  async health(@Res({ passthrough: true }) res: ServerResponse) {
    const [postgres, redis, s3] = await Promise.all([
      timed(() => this.db.query('SELECT 1')),
      timed(async () => {
        if (this.redis.client.status === 'wait') await this.redis.client.connect();
        await this.redis.client.ping();
      }),
      timed(() => this.storage.ping()),
    ]);
    const ok = postgres.ok && redis.ok && s3.ok;
    res.statusCode = ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE;
    return { status: ok ? 'ok' : 'error', checks: { postgres, redis, s3 } };
  }
}
