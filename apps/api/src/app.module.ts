import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ENTITIES } from '@clipline/database';
import { PipelineModule } from '@clipline/pipeline';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeysService } from './auth/api-keys.service';
import { ClipEditsController } from './clip-edits/clip-edits.controller';
import { ClipEditsService } from './clip-edits/clip-edits.service';
import { ClipRerendererProvider } from './clip-edits/clip-rerenderer.provider';
import { MeController } from './auth/me.controller';
import { ApiRedis } from './common/redis.provider';
import { EventsGateway } from './events/events.gateway';
import { ExportsController } from './exports/exports.controller';
import { ExportsService } from './exports/exports.service';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';
import { MetricsController } from './health/metrics.controller';
import { MetricsService } from './health/metrics.service';
import { WorkerStatusService } from './health/worker-status.service';
import { JobAccessService } from './jobs/job-access.service';
import { JobIntakeService } from './jobs/job-intake.service';
import { JobsController } from './jobs/jobs.controller';
import { JobsService } from './jobs/jobs.service';
import { StreamUploadService } from './jobs/stream-upload.service';
import { OpsController } from './ops/ops.controller';
import { OpsService } from './ops/ops.service';
import { PreviewsController } from './previews/previews.controller';
import { PreviewsService } from './previews/previews.service';
import { ResultsController } from './results/results.controller';
import { ResultsService } from './results/results.service';
import { RetentionSweeperService } from './retention/retention-sweeper.service';
import { UploadSweeperService } from './uploads/upload-sweeper.service';
import { UploadsController } from './uploads/uploads.controller';
import { UploadsService } from './uploads/uploads.service';
import { WebhookDispatcherService } from './webhooks/webhook-dispatcher.service';
import { WebhooksController } from './webhooks/webhooks.controller';
import { WebhooksService } from './webhooks/webhooks.service';

/**
 * PipelineModule (global) brings config, TypeORM, S3, the Bull queues and the
 * orchestrator; everything here is the HTTP and socket.io surface over them.
 */
@Module({
  imports: [PipelineModule.forRoot(), TypeOrmModule.forFeature(ENTITIES)],
  controllers: [
    HealthController,
    MetricsController,
    MeController,
    UploadsController,
    JobsController,
    ResultsController,
    ExportsController,
    OpsController,
    WebhooksController,
    ClipEditsController,
    PreviewsController,
  ],
  providers: [
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    ApiKeysService,
    ApiRedis,
    JobAccessService,
    JobIntakeService,
    JobsService,
    StreamUploadService,
    UploadsService,
    UploadSweeperService,
    RetentionSweeperService,
    ResultsService,
    ExportsService,
    OpsService,
    PreviewsService,
    MetricsService,
    HealthService,
    WorkerStatusService,
    EventsGateway,
    WebhooksService,
    WebhookDispatcherService,
    ClipRerendererProvider,
    ClipEditsService,
  ],
})
export class AppModule {}
