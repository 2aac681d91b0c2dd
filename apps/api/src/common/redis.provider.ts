import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import Redis from 'ioredis';

/** The API's own Redis connection, for health checks (Bull keeps its own). */
@Injectable()
export class ApiRedis implements OnApplicationShutdown {
  readonly client: Redis;

  constructor(@Inject(APP_CONFIG) cfg: AppConfig) {
    this.client = new Redis(cfg.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
    // Failures surface in /health; an unhandled 'error' event would crash the process.
    this.client.on('error', () => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
