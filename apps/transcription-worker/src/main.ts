import { bootstrapWorker } from '@clipline/pipeline';
import { usePocketsphinx } from '@clipline/transcription';
import { TranscriptionWorkerModule } from './transcription-worker.module';

void bootstrapWorker(TranscriptionWorkerModule, 'transcription-worker', (cfg) =>
  usePocketsphinx({ bin: cfg.POCKETSPHINX_BIN, modelDir: cfg.POCKETSPHINX_MODEL_DIR }),
);
