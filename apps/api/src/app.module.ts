import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ENTITIES } from '@clipline/database';
import { PipelineModule } from '@clipline/pipeline';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeysService } from './auth/api-keys.service';
import { MeController } from './auth/me.controller';
import { ApiRedis } from './common/redis.provider';
import { EventsGateway } from './events/events.gateway';
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
import { ResultsController } from './results/results.controller';
import { ResultsService } from './results/results.service';
import { UploadSweeperService } from './uploads/upload-sweeper.service';
import { UploadsController } from './uploads/uploads.controller';
import { UploadsService } from './uploads/uploads.service';

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
    OpsController,
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
    ResultsService,
    OpsService,
    MetricsService,
    HealthService,
    WorkerStatusService,
    EventsGateway,
  ],
})
export class AppModule {}
