import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/roles.decorator';
import { MetricsService } from './metrics.service';
import { renderMetrics } from './prometheus.format';

@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Unauthenticated like /health, for Prometheus scrapers; it exposes counts only. */
  @Get()
  @Public()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics: queue depths, stage durations, failures' })
  @ApiProduces('text/plain')
  async scrape(): Promise<string> {
    return renderMetrics(await this.metrics.collect());
  }
}
