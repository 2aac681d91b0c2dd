import { bootstrapWorker } from '@clipline/pipeline';
import { SilenceWorkerModule } from './silence-worker.module';

void bootstrapWorker(SilenceWorkerModule, 'silence-worker');
