import {
  ALL_JOBS_ROOM,
  jobRoom,
  ownerRoom,
  redactSecrets,
  socketIoRedisKey,
  type ServerToClientEvents,
} from '@clipline/contracts';
import { Emitter } from '@socket.io/redis-emitter';
import Redis from 'ioredis';
import { watchRedis } from './redis-options';

type EventName = keyof ServerToClientEvents;
type EventArg<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

/**
 * Publishes typed progress events through Redis to every API instance, which
 * deliver them to sockets in the job's room, the owner's room and the ops room.
 */
export class ProgressEmitter {
  private readonly redis: Redis;
  private readonly emitter: Emitter<ServerToClientEvents>;

  constructor(redisUrl: string, queuePrefix: string) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
    // Events published while Redis is down wait in ioredis's offline queue.
    watchRedis('progress emitter', this.redis);
    this.emitter = new Emitter<ServerToClientEvents>(this.redis, {
      key: socketIoRedisKey(queuePrefix),
    });
  }

  emit<E extends EventName>(event: E, ownerKeyId: string | null, payload: EventArg<E>): void {
    const rooms = [jobRoom((payload as { jobId: string }).jobId), ALL_JOBS_ROOM];
    if (ownerKeyId) rooms.push(ownerRoom(ownerKeyId));
    // Failure events carry the raw error; clients must not see signed URLs or server paths.
    const error = (payload as { error?: string | null }).error;
    if (typeof error === 'string') payload = { ...payload, error: redactSecrets(error) };
    // socket.io delivers at most once per socket even when it sits in several of these rooms.
    (this.emitter.to(rooms) as unknown as { emit(e: string, p: unknown): void }).emit(
      event,
      payload,
    );
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
