import { bootstrapWorker } from '@clipline/pipeline';
import { TranscriptionWorkerModule } from './transcription-worker.module';

void bootstrapWorker(TranscriptionWorkerModule, 'transcription-worker');
