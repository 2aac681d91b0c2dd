import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedKey } from '../auth/api-key.types';
import type {
  WebhookCreatedView,
  WebhookDeliveriesView,
  WebhookDeliveryView,
  WebhookEndpointsView,
  WebhookEndpointView,
} from '@clipline/contracts';
import { CurrentKey } from '../auth/current-key.decorator';
import { ApiNoContentView, ApiView } from '../common/openapi/api-view.decorator';
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
  @ApiView('WebhookCreatedView', { status: 201, errors: [400, 409] })
  create(
    @Body() dto: CreateWebhookDto,
    @CurrentKey() key: AuthenticatedKey,
  ): Promise<WebhookCreatedView> {
    return this.webhooks.create(key, dto);
  }

  @Get()
  @ApiOperation({ summary: "This API key's webhook endpoints (without secrets)" })
  @ApiView('WebhookEndpointsView')
  list(@CurrentKey() key: AuthenticatedKey): Promise<WebhookEndpointsView> {
    return this.webhooks.list(key);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One webhook endpoint' })
  @ApiView('WebhookEndpointView', { errors: [404] })
  get(@Param('id') id: string, @CurrentKey() key: AuthenticatedKey): Promise<WebhookEndpointView> {
    return this.webhooks.get(key, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook endpoint and its delivery log' })
  @ApiNoContentView({ errors: [404] })
  async remove(@Param('id') id: string, @CurrentKey() key: AuthenticatedKey): Promise<void> {
    await this.webhooks.remove(key, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Delivery log of an endpoint, newest first' })
  @ApiView('WebhookDeliveriesView', { errors: [400, 404] })
  deliveries(
    @Param('id') id: string,
    @Query() q: ListDeliveriesQueryDto,
    @CurrentKey() key: AuthenticatedKey,
  ): Promise<WebhookDeliveriesView> {
    return this.webhooks.listDeliveries(key, id, q);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a delivery again (same event id and body)' })
  @ApiView('WebhookDeliveryView', { status: 202, errors: [404, 409] })
  redeliver(
    @Param('id') id: string,
    @Param('deliveryId') deliveryId: string,
    @CurrentKey() key: AuthenticatedKey,
  ): Promise<WebhookDeliveryView> {
    return this.webhooks.redeliver(key, id, deliveryId);
  }
}
