import { bootstrapWorker } from '@clipline/pipeline';
import { useFontsDir } from '@clipline/rendering';
import { usePocketsphinx } from '@clipline/transcription';
import { RenderWorkerModule } from './render-worker.module';

// The caption tier may run pocketsphinx here too.
void bootstrapWorker(RenderWorkerModule, 'render-worker', (cfg) => {
  useFontsDir(cfg.CLIPLINE_FONTS_DIR);
  usePocketsphinx({ bin: cfg.POCKETSPHINX_BIN, modelDir: cfg.POCKETSPHINX_MODEL_DIR });
});
