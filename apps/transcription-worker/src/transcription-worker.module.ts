import { Module } from '@nestjs/common';
import { PipelineModule } from '@clipline/pipeline';
import { TranscriptionProcessor } from './transcription.processor';

@Module({ imports: [PipelineModule.forRoot()], providers: [TranscriptionProcessor] })
export class TranscriptionWorkerModule {}
