import { Module } from '@nestjs/common';
import { WorkerModule } from '@clipline/pipeline';
import { TranscriptionHandler } from './transcription.processor';

@Module({
  imports: [
    WorkerModule.forStages({ stages: ['transcription'], handlers: [TranscriptionHandler] }),
  ],
})
export class TranscriptionWorkerModule {}
