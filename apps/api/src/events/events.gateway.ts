import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayInit,
} from '@nestjs/websockets';
import {
  ALL_JOBS_ROOM,
  jobRoom,
  ownerRoom,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@clipline/contracts';
import type { Server, Socket } from 'socket.io';
import type { AuthenticatedKey } from '../auth/api-key.types';
import { ApiKeysService } from '../auth/api-keys.service';
import { JobAccessService } from '../jobs/job-access.service';

interface SocketData {
  key: AuthenticatedKey;
}
type IoServer = Server<ClientToServerEvents, ServerToClientEvents, object, SocketData>;
type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, object, SocketData>;
type SubscribeRequest = Parameters<ClientToServerEvents['subscribe']>[0];
type Ack = { ok: boolean; error?: string };

/**
 * Only manages rooms: workers publish through Redis (redis-emitter) and the
 * redis adapter delivers to whichever API instance holds the socket.
 */
@WebSocketGateway({ cors: { origin: true } })
export class EventsGateway implements OnGatewayInit<IoServer> {
  private readonly log = new Logger(EventsGateway.name);

  constructor(
    private readonly keys: ApiKeysService,
    private readonly access: JobAccessService,
  ) {}

  afterInit(server: IoServer): void {
    // A middleware refuses the handshake itself, so the client gets connect_error
    // with the reason and never sits connected without a key.
    server.use((socket, next) => {
      const auth = socket.handshake.auth as { apiKey?: unknown } | undefined;
      const presented = typeof auth?.apiKey === 'string' ? auth.apiKey : null;
      if (!presented) {
        next(new Error('An API key is required: connect with auth: { apiKey }.'));
        return;
      }
      this.keys.verify(presented).then(
        (key) => {
          if (!key) return next(new Error('The API key is not valid or has been revoked.'));
          socket.data.key = key;
          next();
        },
        (err: Error) => {
          this.log.warn(`socket auth failed: ${err.message}`);
          next(new Error('Authentication is unavailable; try again.'));
        },
      );
    });
  }

  @SubscribeMessage('subscribe')
  async subscribe(
    @ConnectedSocket() socket: IoSocket,
    @MessageBody() req: SubscribeRequest,
  ): Promise<Ack> {
    const key = socket.data.key;
    const room = await this.roomFor(key, req);
    if ('error' in room) return { ok: false, error: room.error };
    await socket.join(room.name);
    return { ok: true };
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(
    @ConnectedSocket() socket: IoSocket,
    @MessageBody() req: SubscribeRequest,
  ): Promise<Ack> {
    const room = await this.roomFor(socket.data.key, req);
    if ('name' in room) await socket.leave(room.name);
    return { ok: true };
  }

  private async roomFor(
    key: AuthenticatedKey,
    req: SubscribeRequest | undefined,
  ): Promise<{ name: string } | { error: string }> {
    if (req?.all === true) {
      return { name: key.role === 'ops' ? ALL_JOBS_ROOM : ownerRoom(key.id) };
    }
    if (typeof req?.jobId === 'string') {
      // Same answer for a foreign job as for a missing one.
      const job = await this.access.find(req.jobId, key);
      return job ? { name: jobRoom(job.id) } : { error: `Job ${req.jobId} was not found.` };
    }
    return { error: 'Send { jobId } or { all: true }.' };
  }
}
