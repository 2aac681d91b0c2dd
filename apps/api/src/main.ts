import 'reflect-metadata';
import { loadConfigOrExit } from '@clipline/config';
import { describeFfmpegPair } from '@clipline/media';
import { applyToolSettings, initAppLogger, Reconciler } from '@clipline/pipeline';
import { StorageService } from '@clipline/storage';
import { createApiApp } from './bootstrap/create-api-app';
import { installProcessSafetyNet } from './bootstrap/process-safety-net';

async function main(): Promise<void> {
  installProcessSafetyNet();
  const cfg = loadConfigOrExit();
  const log = initAppLogger('api', cfg);
  applyToolSettings(cfg);
  const app = await createApiApp(cfg);
  // A fresh MinIO or s3rver has no bucket; uploads would fail with NoSuchBucket.
  await app.get(StorageService).ensureBucket();
  await app.listen(cfg.PORT);
  // PipelineModule stops it on shutdown; only the API process runs it.
  app.get(Reconciler).start();
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  log.info(`API listening on ${url} (OpenAPI at ${url}/docs); probes with ${describeFfmpegPair()}`);
}

main().catch((err: unknown) => {
  initAppLogger('api', loadConfigOrExit()).fatal(
    { err },
    `API failed to start: ${(err as Error)?.message ?? err}`,
  );
  process.exit(1);
});
