import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiView } from '../common/openapi/api-view.decorator';
import { ref } from '../common/openapi/schema.builder';
import type { ServerResponse } from 'node:http';
import { Public } from '../auth/roles.decorator';
import { HealthService } from './health.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @Public()
  @ApiOperation({
    summary:
      'Checks Postgres, Redis and S3 (503 when any fails) and the workers of each stage (200 "degraded" with reasons); no key needed',
  })
  @ApiView('HealthView', { public: true })
  @ApiResponse({ status: 503, description: 'A dependency failed.', schema: ref('HealthView') })
  async check(@Res({ passthrough: true }) res: ServerResponse) {
    const report = await this.health.report();
    // Degraded still serves: a load balancer must not take the API out for a missing worker.
    res.statusCode = report.status === 'error' ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.OK;
    return report;
  }
}
