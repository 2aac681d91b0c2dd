import type { Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import {
  ClipRerenderer,
  ProcessingLogger,
  ProgressEmitter,
  StageScheduler,
} from '@clipline/pipeline';
import type { DataSource } from 'typeorm';

/** Built here from PipelineModule's globals, so the shared module needs no change. */
export const ClipRerendererProvider: Provider = {
  provide: ClipRerenderer,
  inject: [getDataSourceToken(), StageScheduler, ProcessingLogger, ProgressEmitter],
  useFactory: (ds: DataSource, s: StageScheduler, l: ProcessingLogger, e: ProgressEmitter) =>
    new ClipRerenderer(ds, s, l, e),
};
