import { Module } from '@nestjs/common';
import { PipelineModule } from '@clipline/pipeline';
import { SegmentingProcessor } from './segmenting.processor';

@Module({ imports: [PipelineModule.forRoot()], providers: [SegmentingProcessor] })
export class SegmentingWorkerModule {}
