import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { probeMedia } from '@clipline/media';
import { SHARED_FIXTURES_DIR } from '../../../test/fixtures/fixture-cache';
import { transcribe } from './transcribe';
import { melFilterbank } from './whisper-features';
import { WhisperEngine } from './whisper.engine';
import { DEFAULT_WHISPER_MODEL, WHISPER_MODELS } from './whisper-models';

const MODEL_DIR = process.env.MODEL_DIR ?? resolve(__dirname, '../../../../shared/models');
const spec = WHISPER_MODELS[DEFAULT_WHISPER_MODEL];
const present = [spec.encoder, spec.decoder, spec.tokenizer].every((f) =>
  existsSync(join(MODEL_DIR, f.path)),
);

describe('whisper engine', () => {
  it('fails at init with a clear message when the model is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'clipline-models-'));
    try {
      await expect(new WhisperEngine({ modelDir: empty }).init()).rejects.toThrow(
        /whisper-base\.en\/encoder_model\.onnx not found in MODEL_DIR=.*models:pull/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('builds an 80-band Slaney mel filterbank like librosa', () => {
    const fb = melFilterbank();
    expect(fb).toHaveLength(80);
    expect(fb[0]).toHaveLength(201);
    // Every band is a triangle with some weight; none covers DC.
    for (const row of fb) expect(Math.max(...row)).toBeGreaterThan(0);
    expect(fb[0][0]).toBe(0);
  });

  const withModel = present ? it : it.skip;
  if (!present) {
    console.log(
      `SKIPPED whisper transcription test: ${DEFAULT_WHISPER_MODEL} files are not in MODEL_DIR=${MODEL_DIR} (no Whisper weights can be downloaded here; run \`npm run models:pull\` where there is internet).`,
    );
  }
  withModel(
    'transcribes jfk.wav',
    async () => {
      const f = join(SHARED_FIXTURES_DIR, 'jfk.wav');
      const r = await transcribe(f, await probeMedia(f), {
        engine: 'whisper',
        language: 'en',
        modelDir: MODEL_DIR,
      });
      expect(r.text.toLowerCase()).toMatch(/country/);
    },
    120_000,
  );
});
