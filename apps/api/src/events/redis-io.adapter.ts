import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { watchRedis } from '@clipline/pipeline';
import Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';

/**
 * socket.io over Redis pub/sub: events published by workers (redis-emitter)
 * or by another API instance reach the sockets connected here.
 */
export class RedisIoAdapter extends IoAdapter {
  private pub: Redis | null = null;
  private sub: Redis | null = null;
  private adapter: ReturnType<typeof createAdapter> | null = null;

  constructor(
    app: INestApplicationContext,
    private readonly redisUrl: string,
    private readonly key: string,
  ) {
    super(app);
  }

  async connect(): Promise<void> {
    this.pub = new Redis(this.redisUrl, { lazyConnect: true });
    this.sub = this.pub.duplicate();
    watchRedis('socket.io publisher', this.pub);
    watchRedis('socket.io subscriber', this.sub);
    await Promise.all([this.pub.connect(), this.sub.connect()]);
    this.adapter = createAdapter(this.pub, this.sub, { key: this.key });
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    if (!this.adapter) throw new Error('RedisIoAdapter.connect() must run before the app starts');
    server.adapter(this.adapter);
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    await Promise.all([this.pub, this.sub].map((c) => c?.quit().catch(() => c.disconnect())));
    this.pub = this.sub = null;
  }
}
