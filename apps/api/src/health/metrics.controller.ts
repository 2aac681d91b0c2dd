import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
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
  @ApiProduces('text/plain')
  async scrape(@Res({ passthrough: true }) res: ServerResponse): Promise<string> {
    res.setHeader('Content-Type', this.metrics.contentType);
    return this.metrics.render();
  }
}
