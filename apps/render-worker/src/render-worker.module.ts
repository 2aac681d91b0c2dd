import { Module } from '@nestjs/common';
import { WorkerModule } from '@clipline/pipeline';
import { RenderHandler } from './render.processor';

@Module({
  imports: [WorkerModule.forStages({ stages: ['rendering'], handlers: [RenderHandler] })],
})
export class RenderWorkerModule {}
