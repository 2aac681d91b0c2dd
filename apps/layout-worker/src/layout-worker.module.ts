import { Module } from '@nestjs/common';
import { PipelineModule } from '@clipline/pipeline';
import { LayoutProcessor } from './layout.processor';

@Module({ imports: [PipelineModule.forRoot()], providers: [LayoutProcessor] })
export class LayoutWorkerModule {}
