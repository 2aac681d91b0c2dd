// One-time setup before the apps start: validated config, migrations, the
// bucket and an ops API key. It loads the API's own build, so the config
// schema, migrations and key format are the ones the apps use.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { say } from './util.mjs';

const KEY_NAME = 'npm-start';

export async function prepare(root, env, keyFile) {
  const require = createRequire(join(root, 'package.json'));
  const dist = (p) => require(join(root, 'dist', p));
  require('reflect-metadata');
  const { loadConfig } = dist('libs/config/src');
  const { createDataSource, ApiKeyEntity } = dist('libs/database/src');
  const { storageFromConfig } = dist('libs/storage/src');
  const { ApiKeysService } = dist('apps/api/src/auth/api-keys.service.js');

  const cfg = loadConfig(env);

  const ds = await createDataSource(cfg.DATABASE_URL).initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    say(
      applied.length
        ? `applied migrations: ${applied.map((m) => m.name).join(', ')}`
        : 'database schema is up to date',
    );

    await storageFromConfig(cfg).ensureBucket();
    say(`bucket "${cfg.S3_BUCKET}" is ready at ${cfg.S3_ENDPOINT}`);

    const keys = new ApiKeysService(ds.getRepository(ApiKeyEntity));
    const stored = existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '';
    // The stored key may belong to another database (DATABASE_URL changed) or be revoked.
    if (stored && (await keys.verify(stored))?.role === 'ops')
      return { cfg, apiKey: stored, created: false };
    const { key } = await keys.create(KEY_NAME, 'ops');
    writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    say(`created ops API key "${KEY_NAME}" (saved in ${keyFile})`);
    return { cfg, apiKey: key, created: true };
  } finally {
    await ds.destroy();
  }
}
