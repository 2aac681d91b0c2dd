import { bootstrapWorker } from '@clipline/pipeline';
import { LayoutWorkerModule } from './layout-worker.module';

void bootstrapWorker(LayoutWorkerModule, 'layout-worker');
