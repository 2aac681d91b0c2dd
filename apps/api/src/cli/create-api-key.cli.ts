import 'reflect-metadata';
import { loadConfigOrExit } from '@clipline/config';
import { ApiKeyEntity, createDataSource, type ApiKeyRole } from '@clipline/database';
import { parseArgs } from 'node:util';
import { API_KEY_ROLES } from '../auth/api-key.types';
import { ApiKeysService } from '../auth/api-keys.service';
import { useLauncherConnection } from './launcher-connection';

const USAGE = 'Usage: npm run apikey:create -- --name <name> [--role creator|ops]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { name: { type: 'string' }, role: { type: 'string', default: 'creator' } },
  });
  const role = values.role as ApiKeyRole;
  if (!values.name || !API_KEY_ROLES.includes(role)) {
    console.error(USAGE);
    process.exit(64);
  }
  const recorded = useLauncherConnection();
  const cfg = loadConfigOrExit();
  const ds = await createDataSource(cfg.DATABASE_URL, cfg.DB_POOL_MAX)
    .initialize()
    .catch((err: Error) => {
      if (!recorded) throw err;
      throw new Error(
        `Cannot reach the database npm start recorded in ${recorded} (${err.message}). Is npm start running? Or set DATABASE_URL.`,
      );
    });
  try {
    const created = await new ApiKeysService(ds.getRepository(ApiKeyEntity)).create(
      values.name,
      role,
    );
    // The key is shown once: only its hash is stored.
    console.log(`Created ${role} key "${values.name}" (id ${created.id}).`);
    console.log(`Key (store it now, it cannot be shown again):\n${created.key}`);
  } finally {
    await ds.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
