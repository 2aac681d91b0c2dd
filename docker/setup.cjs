// One-shot setup for a deployment (the compose `migrate` service): applies
// pending migrations, creates the bucket and fetches the models. Safe to run on every deploy.
require('reflect-metadata');
const { join } = require('node:path');

const dist = (p) => require(join(__dirname, '..', 'dist', p));
const { loadConfigOrExit } = dist('libs/config/src');
const { createDataSource } = dist('libs/database/src');
const { storageFromConfig } = dist('libs/storage/src');

async function main() {
  const cfg = loadConfigOrExit();
  const ds = await createDataSource(cfg.DATABASE_URL).initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    console.log(
      applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'schema is up to date',
    );
  } finally {
    await ds.destroy();
  }
  await storageFromConfig(cfg).ensureBucket();
  console.log(`bucket ${cfg.S3_BUCKET} is ready`);
  // Models into the shared volume; a missing one is reported, not fatal (layout degrades).
  const { ensureModels } = require('../scripts/start/models.cjs');
  const problems = await ensureModels(join(__dirname, '..'), cfg, {
    fetch: process.env.CLIPLINE_MODEL_FETCH !== '0',
  });
  for (const line of problems) console.warn(line);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
