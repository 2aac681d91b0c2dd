/**
 * Fetches every model the product knows into MODEL_DIR, verifying sha256.
 * Run on a machine with internet: `MODEL_DIR=/models npm run models:pull`.
 */
import { resolve } from 'node:path';
import { fetchModel, sha256File, type ModelFile } from '@clipline/media';
import { WHISPER_MODEL_FILES } from '@clipline/transcription';

/** Other stages' manifests, loaded only if their lib exports one (e.g. ULTRAFACE_MODEL from @clipline/layout). */
async function optionalManifests(): Promise<ModelFile[]> {
  const out: ModelFile[] = [];
  const candidates: Array<[string, string]> = [['@clipline/layout', 'ULTRAFACE_MODEL']];
  for (const [mod, name] of candidates) {
    try {
      const m = (await import(mod)) as Record<string, unknown>;
      const v = m[name];
      if (Array.isArray(v)) out.push(...(v as ModelFile[]));
      else if (v && typeof v === 'object') out.push(v as ModelFile);
    } catch {
      // Not built yet: that stage has no models to pull.
    }
  }
  return out;
}

async function main(): Promise<void> {
  const modelDir = resolve(process.env.MODEL_DIR ?? 'models');
  const files: ModelFile[] = [...WHISPER_MODEL_FILES, ...(await optionalManifests())];
  let failed = 0;
  for (const f of files) {
    try {
      const path = await fetchModel(modelDir, f);
      if (f.sha256) console.log(`ok   ${path}`);
      // Verified against the hub's own checksum; pinning it guards against the hub's file changing.
      else console.log(`ok   ${path} (unpinned; pin sha256 ${await sha256File(path)})`);
    } catch (err) {
      failed++;
      console.error(`FAIL ${f.path}: ${(err as Error).message}`);
    }
  }
  console.log(`${files.length - failed}/${files.length} models in ${modelDir}`);
  if (failed) process.exit(1);
}

void main();
