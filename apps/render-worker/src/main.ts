import { bootstrapWorker } from '@clipline/pipeline';
import { RenderWorkerModule } from './render-worker.module';

void bootstrapWorker(RenderWorkerModule, 'render-worker');
