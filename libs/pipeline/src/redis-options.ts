import { Logger } from '@nestjs/common';
import { isInfrastructureError } from '@clipline/contracts';
import type { Queue } from 'bull';
import type { RedisOptions } from 'ioredis';

/** Bull wants ioredis options, not a URL. */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname && u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

interface Emits {
  on(event: string, listener: (...args: never[]) => void): unknown;
}

type Log = { warn(msg: string): void; log(msg: string): void };

/**
 * Logs the first connection error of a Redis outage and the reconnect, not
 * every retry. The listener also matters by itself: ioredis prints each
 * retry of a client without an 'error' listener, and an EventEmitter with
 * none throws. `ready` is the client whose 'ready' means we are back.
 */
export function watchRedis(
  name: string,
  errors: Emits,
  ready: Emits = errors,
  log: Log = new Logger('Redis'),
): void {
  let down = false;
  errors.on('error', (err: Error) => {
    if (!isInfrastructureError(err)) {
      log.warn(`${name}: ${err?.message ?? String(err)}`);
      return;
    }
    if (down) return;
    down = true;
    log.warn(`${name}: Redis unreachable (${err.message}); reconnecting quietly`);
  });
  ready.on('ready', () => {
    if (!down) return;
    down = false;
    log.log(`${name}: Redis reconnected`);
  });
}

/** Bull bubbles every client's errors up to the queue; its main client tells when Redis is back. */
export function watchQueue(queue: Queue, log?: Log): void {
  watchRedis(`queue ${queue.name}`, queue, queue.client, log);
}
