import { bootstrapWorker } from '@clipline/pipeline';
import { SegmentingWorkerModule } from './segmenting-worker.module';

void bootstrapWorker(SegmentingWorkerModule, 'segmenting-worker');
