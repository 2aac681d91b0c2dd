import { Module } from '@nestjs/common';
import { WorkerModule } from '@clipline/pipeline';
import { LayoutHandler } from './layout.processor';

@Module({ imports: [WorkerModule.forStages({ stages: ['layout'], handlers: [LayoutHandler] })] })
export class LayoutWorkerModule {}
