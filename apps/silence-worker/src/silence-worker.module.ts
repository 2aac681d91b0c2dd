import { Module } from '@nestjs/common';
import { WorkerModule } from '@clipline/pipeline';
import { SilenceHandler } from './silence.processor';

@Module({ imports: [WorkerModule.forStages({ stages: ['silence'], handlers: [SilenceHandler] })] })
export class SilenceWorkerModule {}
