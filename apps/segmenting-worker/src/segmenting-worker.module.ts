import { Module } from '@nestjs/common';
import { WorkerModule } from '@clipline/pipeline';
import { SegmentingHandler } from './segmenting.processor';

@Module({
  imports: [WorkerModule.forStages({ stages: ['segmenting'], handlers: [SegmentingHandler] })],
})
export class SegmentingWorkerModule {}
