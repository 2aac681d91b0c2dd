import { bootstrapWorker } from '@clipline/pipeline';
import { useSileroModel } from '@clipline/silence';
import { SilenceWorkerModule } from './silence-worker.module';

void bootstrapWorker(SilenceWorkerModule, 'silence-worker', (cfg) =>
  useSileroModel(cfg.SILERO_VAD_MODEL),
);
