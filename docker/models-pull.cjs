// One-shot (the compose `models` service): fills MODEL_DIR with the models the
// workers load, verified by sha256. The image has no ts-node, so this reads
// the built libs like setup.cjs. Files already present and intact are kept.
const { join, resolve } = require('node:path');

const dist = (p) => require(join(__dirname, '..', 'dist', p));
const { fetchModel } = dist('libs/media/src');
const { ULTRAFACE_MODEL } = dist('libs/layout/src/ultraface.model');
const { WHISPER_MODEL_FILES } = dist('libs/transcription/src');

async function main() {
  const modelDir = resolve(process.env.MODEL_DIR || '/models');
  // Whisper weights are large; fetch them only for the engine that uses them.
  const files = [
    ULTRAFACE_MODEL,
    ...(process.env.TRANSCRIPTION_ENGINE === 'whisper' ? WHISPER_MODEL_FILES : []),
  ];
  for (const f of files) console.log(`ok   ${await fetchModel(modelDir, f)}`);
  console.log(`${files.length} model file(s) in ${modelDir}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
