import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiTextView } from '../common/openapi/api-view.decorator';
import type { ServerResponse } from 'node:http';
import { Public } from '../auth/roles.decorator';
import { MetricsService } from './metrics.service';

@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Unauthenticated like /health, for Prometheus scrapers; it exposes counts only. */
  @Get()
  @Public()
  @ApiOperation({ summary: 'Prometheus metrics: process, queue depths, jobs, API counters' })
  @ApiTextView(['text/plain'], { public: true })
  async scrape(@Res({ passthrough: true }) res: ServerResponse): Promise<string> {
    res.setHeader('Content-Type', this.metrics.contentType);
    return this.metrics.render();
  }
}
