import { ApiKeyEntity } from './api-key.entity';
import { CaptionCorrectionEntity } from './caption-correction.entity';
import { ClipEntity } from './clip.entity';
import { ContentSegmentEntity } from './content-segment.entity';
import { JobStageEntity } from './job-stage.entity';
import { JobEntity } from './job.entity';
import { LayoutAnalysisEntity } from './layout-analysis.entity';
import { ProcessingLogEntity } from './processing-log.entity';
import { SilenceRegionEntity } from './silence-region.entity';
import { StagePartEntity } from './stage-part.entity';
import { TranscriptEntity } from './transcript.entity';
import { UploadEntity } from './upload.entity';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import { WebhookEventEntity } from './webhook-event.entity';
import { WorkerEntity } from './worker.entity';

export * from './api-key.entity';
export * from './caption-correction.entity';
export * from './clip.entity';
export * from './content-segment.entity';
export * from './job-stage.entity';
export * from './job.entity';
export * from './layout-analysis.entity';
export * from './processing-log.entity';
export * from './silence-region.entity';
export * from './stage-part.entity';
export * from './transcript.entity';
export * from './upload.entity';
export * from './webhook-delivery.entity';
export * from './webhook-endpoint.entity';
export * from './webhook-event.entity';
export * from './worker.entity';

export const ENTITIES = [
  ApiKeyEntity,
  JobEntity,
  JobStageEntity,
  TranscriptEntity,
  SilenceRegionEntity,
  LayoutAnalysisEntity,
  ContentSegmentEntity,
  ClipEntity,
  ProcessingLogEntity,
  UploadEntity,
  StagePartEntity,
  WorkerEntity,
  WebhookEndpointEntity,
  WebhookEventEntity,
  WebhookDeliveryEntity,
  CaptionCorrectionEntity,
];
