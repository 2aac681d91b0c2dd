import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedKey } from '../auth/api-key.types';
import { CurrentKey } from '../auth/current-key.decorator';
import { Roles } from '../auth/roles.decorator';
import type { QueuePausedView, RerunView, RetryView, WorkersView } from '@clipline/contracts';
import { ApiView } from '../common/openapi/api-view.decorator';
import { JobAccessService } from '../jobs/job-access.service';
import { ReplaceCropPlansDto } from './crop-plans.dto';
import { LimitQueryDto } from './ops.dto';
import { WorkerStatusService } from '../health/worker-status.service';
import { OpsService, parseWorkerStage } from './ops.service';

@ApiTags('operations')
@ApiSecurity('api-key')
@Controller('v1')
export class OpsController {
  constructor(
    private readonly ops: OpsService,
    private readonly access: JobAccessService,
    private readonly workers: WorkerStatusService,
  ) {}

  @Post('jobs/:id/stages/:stage/rerun')
  @Roles('ops')
  @HttpCode(202)
  @ApiOperation({ summary: 'Re-run one stage and everything downstream (ops)' })
  @ApiView('RerunView', { status: 202, errors: [400, 403, 404, 409] })
  async rerun(
    @Param('id') id: string,
    @Param('stage') stage: string,
    @CurrentKey() key: AuthenticatedKey,
  ): Promise<RerunView> {
    const s = parseWorkerStage(stage);
    const job = await this.access.get(id, key);
    await this.ops.rerun(job, s);
    return { jobId: job.id, stage: s, rerun: true };
  }

  @Post('jobs/:id/retry')
  @Roles('ops')
  @HttpCode(202)
  @ApiOperation({ summary: 'Re-run the failed stages (ops)' })
  @ApiView('RetryView', { status: 202, errors: [403, 404, 409] })
  async retry(@Param('id') id: string, @CurrentKey() key: AuthenticatedKey): Promise<RetryView> {
    const job = await this.access.get(id, key);
    return { jobId: job.id, stages: await this.ops.retry(job) };
  }

  @Put('jobs/:id/layout/crop-plans')
  @Roles('ops')
  @ApiOperation({ summary: 'Replace crop plans and re-render (ops)' })
  @ApiView('CropPlansReplacedView', { errors: [400, 403, 404, 409] })
  async cropPlans(
    @Param('id') id: string,
    @Body() dto: ReplaceCropPlansDto,
    @CurrentKey() key: AuthenticatedKey,
  ) {
    return this.ops.replaceCropPlans(await this.access.get(id, key), dto);
  }

  @Post('jobs/:id/segments/:segmentId/promote')
  @HttpCode(200)
  @ApiOperation({ summary: 'Select a runner-up segment and re-render (owner or ops)' })
  @ApiView('PromotedView', { errors: [404, 409] })
  async promote(
    @Param('id') id: string,
    @Param('segmentId') segmentId: string,
    @CurrentKey() key: AuthenticatedKey,
  ) {
    return this.ops.promote(await this.access.get(id, key), segmentId);
  }

  @Get('ops/queues')
  @Roles('ops')
  @ApiOperation({ summary: 'Waiting, active, delayed and failed counts per queue (ops)' })
  @ApiView(['QueueStats'], { errors: [403] })
  queues() {
    return this.ops.queues();
  }

  @Get('ops/workers')
  @Roles('ops')
  @ApiOperation({
    summary: 'Worker processes: host, pid, stage, version, current work, liveness (ops)',
  })
  @ApiView('WorkersView', { errors: [403] })
  async workerList(): Promise<WorkersView> {
    const [workers, summary] = await Promise.all([this.workers.list(), this.workers.summary()]);
    return { workers, stages: summary.stages, reasons: summary.reasons };
  }

  @Post('ops/queues/:stage/pause')
  @Roles('ops')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a stage queue everywhere (ops)' })
  @ApiView('QueuePausedView', { errors: [400, 403] })
  async pause(@Param('stage') stage: string): Promise<QueuePausedView> {
    const s = parseWorkerStage(stage);
    await this.ops.pause(s);
    return { stage: s, paused: true };
  }

  @Post('ops/queues/:stage/resume')
  @Roles('ops')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a stage queue (ops)' })
  @ApiView('QueuePausedView', { errors: [400, 403] })
  async resume(@Param('stage') stage: string): Promise<QueuePausedView> {
    const s = parseWorkerStage(stage);
    await this.ops.resume(s);
    return { stage: s, paused: false };
  }

  @Get('ops/queues/:stage/failed')
  @Roles('ops')
  @ApiOperation({ summary: 'Failed Bull jobs of a queue, with reasons (ops)' })
  @ApiView(['FailedQueueJobView'], { errors: [400, 403] })
  failed(@Param('stage') stage: string, @Query() q: LimitQueryDto) {
    return this.ops.failedInQueue(parseWorkerStage(stage), q.limit ?? 50);
  }

  @Get('ops/stages/failed')
  @Roles('ops')
  @ApiOperation({ summary: 'Failed job stages with their errors, from Postgres (ops)' })
  @ApiView(['FailedStageView'], { errors: [400, 403] })
  failedStages(@Query() q: LimitQueryDto) {
    return this.ops.failedStages(q.limit ?? 50);
  }
}
