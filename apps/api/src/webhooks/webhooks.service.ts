import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import type {
  WebhookCreatedView,
  WebhookDeliveriesView,
  WebhookDeliveryView,
  WebhookEndpointsView,
  WebhookEndpointView,
} from '@clipline/contracts';
import { WebhookDeliveryEntity, WebhookEndpointEntity } from '@clipline/database';
import { Repository } from 'typeorm';
import type { AuthenticatedKey } from '../auth/api-key.types';
import { isUuid } from '../jobs/job-access.service';
import type { CreateWebhookDto, ListDeliveriesQueryDto } from './webhook.dto';
import { newWebhookSecret } from './webhook-signature';
import { checkWebhookUrl, WebhookUrlError, type WebhookUrlPolicy } from './webhook-url.policy';
import { deliveryView, endpointView } from './webhook.view';

/** Enough for any integration; a cap keeps one key from fanning every event out without end. */
const MAX_ENDPOINTS_PER_KEY = 20;

export function urlPolicyOf(cfg: AppConfig): WebhookUrlPolicy {
  return {
    allowHttpLoopback: cfg.WEBHOOK_ALLOW_HTTP_LOOPBACK,
    allowPrivateNetworks: cfg.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
  };
}

/** Endpoints belong to one API key; another key's endpoint answers like a missing one. */
@Injectable()
export class WebhooksService {
  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @InjectRepository(WebhookEndpointEntity)
    private readonly endpoints: Repository<WebhookEndpointEntity>,
    @InjectRepository(WebhookDeliveryEntity)
    private readonly deliveries: Repository<WebhookDeliveryEntity>,
  ) {}

  async create(key: AuthenticatedKey, dto: CreateWebhookDto): Promise<WebhookCreatedView> {
    try {
      await checkWebhookUrl(dto.url, urlPolicyOf(this.cfg));
    } catch (err) {
      if (err instanceof WebhookUrlError) throw new BadRequestException(err.message);
      throw err;
    }
    if ((await this.endpoints.count({ where: { ownerKeyId: key.id } })) >= MAX_ENDPOINTS_PER_KEY)
      throw new ConflictException(`at most ${MAX_ENDPOINTS_PER_KEY} webhook endpoints per API key`);
    const secret = newWebhookSecret();
    const row = await this.endpoints.save(
      this.endpoints.create({
        ownerKeyId: key.id,
        url: dto.url,
        events: [...dto.events],
        description: dto.description ?? null,
        secret,
      }),
    );
    return { ...endpointView(row), secret };
  }

  async list(key: AuthenticatedKey): Promise<WebhookEndpointsView> {
    const rows = await this.endpoints.find({
      where: { ownerKeyId: key.id },
      order: { createdAt: 'ASC' },
    });
    return { items: rows.map(endpointView) };
  }

  async get(key: AuthenticatedKey, id: string): Promise<WebhookEndpointView> {
    return endpointView(await this.own(key, id));
  }

  async remove(key: AuthenticatedKey, id: string): Promise<void> {
    const row = await this.own(key, id);
    // Its deliveries go with it (ON DELETE CASCADE); a send in flight settles nothing.
    await this.endpoints.delete({ id: row.id });
  }

  async listDeliveries(
    key: AuthenticatedKey,
    id: string,
    q: ListDeliveriesQueryDto,
  ): Promise<WebhookDeliveriesView> {
    const endpoint = await this.own(key, id);
    const rows = await this.deliveries.find({
      where: { endpointId: endpoint.id, ...(q.status ? { status: q.status } : {}) },
      relations: { event: true },
      order: { createdAt: 'DESC', seq: 'DESC' },
      take: q.limit ?? 50,
    });
    return {
      items: rows.map((d) =>
        deliveryView(d as WebhookDeliveryEntity & { event: { type: string } }),
      ),
    };
  }

  /**
   * Sends the same event (same id, same body) again, whatever its state; a
   * send in flight is left to finish. The receiver dedupes by event id.
   */
  async redeliver(
    key: AuthenticatedKey,
    id: string,
    deliveryId: string,
  ): Promise<WebhookDeliveryView> {
    const endpoint = await this.own(key, id);
    if (!isUuid(deliveryId)) throw new NotFoundException('delivery not found');
    const res = await this.deliveries
      .createQueryBuilder()
      .update()
      .set({
        status: 'pending',
        nextAttemptAt: () => 'now()',
        claimId: null,
        claimedUntil: null,
        deliveredAt: null,
      })
      .where('id = :deliveryId AND endpoint_id = :endpointId', {
        deliveryId,
        endpointId: endpoint.id,
      })
      .andWhere(`status <> 'sending'`)
      .execute();
    const row = await this.deliveries.findOne({
      where: { id: deliveryId, endpointId: endpoint.id },
      relations: { event: true },
    });
    if (!row) throw new NotFoundException('delivery not found');
    if (!res.affected) throw new ConflictException('delivery is being sent right now; try again');
    return deliveryView(row as WebhookDeliveryEntity & { event: { type: string } });
  }

  private async own(key: AuthenticatedKey, id: string): Promise<WebhookEndpointEntity> {
    const row = isUuid(id)
      ? await this.endpoints.findOne({ where: { id, ownerKeyId: key.id } })
      : null;
    if (!row) throw new NotFoundException('webhook endpoint not found');
    return row;
  }
}
