import { Module } from '@nestjs/common';
import { PipelineModule } from '@clipline/pipeline';
import { RenderProcessor } from './render.processor';

@Module({ imports: [PipelineModule.forRoot()], providers: [RenderProcessor] })
export class RenderWorkerModule {}
