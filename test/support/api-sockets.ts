import {
  socketIoRedisKey,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@clipline/contracts';
import { Emitter } from '@socket.io/redis-emitter';
import Redis from 'ioredis';
import { io, type Socket } from 'socket.io-client';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The socket.io side of an API suite: clients of the API, and the Redis
 * emitter a worker publishes progress through. `close` ends them all.
 */
export class ApiSockets {
  private readonly sockets: Client[] = [];
  private readonly redis = new Redis(process.env.REDIS_URL as string);
  readonly emitter = new Emitter<ServerToClientEvents>(this.redis, {
    key: socketIoRedisKey(process.env.QUEUE_PREFIX as string),
  });

  connect(url: string, apiKey: string): Promise<Client> {
    const s: Client = io(url, {
      auth: { apiKey },
      transports: ['websocket'],
      reconnection: false,
    });
    this.sockets.push(s);
    return new Promise((resolve, reject) => {
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.disconnect();
    await this.redis.quit();
  }
}
