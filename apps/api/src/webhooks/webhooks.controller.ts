import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedKey } from '../auth/api-key.types';
import { CurrentKey } from '../auth/current-key.decorator';
import { CreateWebhookDto, ListDeliveriesQueryDto } from './webhook.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@ApiSecurity('api-key')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    summary: 'Register a webhook endpoint for this API key',
    description:
      'The answer carries the signing secret; it is shown this once and never again. 400 when the URL is not https:// or resolves to a private, loopback, link-local or otherwise internal address.',
  })
  create(@Body() dto: CreateWebhookDto, @CurrentKey() key: AuthenticatedKey) {
    return this.webhooks.create(key, dto);
  }

  @Get()
  @ApiOperation({ summary: "This API key's webhook endpoints (without secrets)" })
  list(@CurrentKey() key: AuthenticatedKey) {
    return this.webhooks.list(key);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One webhook endpoint' })
  get(@Param('id') id: string, @CurrentKey() key: AuthenticatedKey) {
    return this.webhooks.get(key, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook endpoint and its delivery log' })
  async remove(@Param('id') id: string, @CurrentKey() key: AuthenticatedKey): Promise<void> {
    await this.webhooks.remove(key, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Delivery log of an endpoint, newest first' })
  deliveries(
    @Param('id') id: string,
    @Query() q: ListDeliveriesQueryDto,
    @CurrentKey() key: AuthenticatedKey,
  ) {
    return this.webhooks.listDeliveries(key, id, q);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a delivery again (same event id and body)' })
  redeliver(
    @Param('id') id: string,
    @Param('deliveryId') deliveryId: string,
    @CurrentKey() key: AuthenticatedKey,
  ) {
    return this.webhooks.redeliver(key, id, deliveryId);
  }
}
