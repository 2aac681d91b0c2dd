// Makes sure the models the configuration needs are in MODEL_DIR before the
// workers start: verified by sha256, fetched where there is network, and
// otherwise named in one line with the fix. Used by `npm start` and by the
// Docker image's setup (docker/setup.cjs). CommonJS so both can load it.
const { join } = require('node:path');

const FETCH_TIMEOUT_MS = Number(process.env.CLIPLINE_MODEL_FETCH_TIMEOUT_MS ?? 20_000);

/** The model files a configuration needs, with what goes without each. */
function configuredModels(root, cfg) {
  const dist = (p) => require(join(root, 'dist', p));
  const { ULTRAFACE_MODEL } = dist('libs/layout/src');
  const out = [{ file: ULTRAFACE_MODEL, without: 'layout frames by centre' }];
  if (cfg.TRANSCRIPTION_ENGINE === 'whisper') {
    const { WHISPER_MODELS, DEFAULT_WHISPER_MODEL } = dist('libs/transcription/src');
    const spec = WHISPER_MODELS[DEFAULT_WHISPER_MODEL];
    for (const file of [spec.encoder, spec.decoder, spec.tokenizer])
      out.push({ file, without: 'transcription fails (TRANSCRIPTION_ENGINE=whisper)' });
  }
  return out;
}

/**
 * Returns the problems as lines (empty when every model is in place). With
 * `fetch` false nothing is downloaded (CLIPLINE_MODEL_FETCH=0: air-gapped
 * hosts, tests).
 */
async function ensureModels(root, cfg, { fetch: allowFetch = true, log = console.log } = {}) {
  const { resolveModel, fetchModel } = require(join(root, 'dist', 'libs/media/src'));
  const modelDir = cfg.MODEL_DIR;
  const missing = [];
  for (const { file, without } of configuredModels(root, cfg)) {
    try {
      await resolveModel(modelDir, file);
      continue;
    } catch (err) {
      if (err.name !== 'ModelMissingError') throw err;
    }
    let why = 'downloads are off (CLIPLINE_MODEL_FETCH=0)';
    if (allowFetch) {
      try {
        const timed = (url, init) =>
          fetch(url, { ...init, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
        await fetchModel(modelDir, file, timed);
        log(`fetched model ${file.path} into ${modelDir} (sha256 verified)`);
        continue;
      } catch (err) {
        why = err.name === 'ModelNetworkError' ? `network unreachable: ${err.host}` : err.message;
      }
    }
    missing.push({ path: file.path, why, without });
  }
  if (!missing.length) return [];
  // One line an operator can act on: what, where, what happens meanwhile, how to fix.
  const byEffect = [...new Set(missing.map((m) => m.without))].join('; ');
  return [
    `models: missing ${missing.map((m) => m.path).join(', ')} in MODEL_DIR=${modelDir} ` +
      `(${[...new Set(missing.map((m) => m.why))].join('; ')}); until then ${byEffect}. ` +
      `Fix: \`npm run models:pull\` where there is network, or copy the files into MODEL_DIR (docs/operations.md, "Model files").`,
  ];
}

module.exports = { ensureModels, configuredModels };
