import 'reflect-metadata';
// Relative, not @clipline/config: the TypeORM CLI and jest's global setup load this file without path aliases.
import { loadConfig } from '../../config/src/load-config';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { ENTITIES } from './entities';

export function dataSourceOptions(url: string, poolMax = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    // Imported, not globbed, so every app's build carries them wherever dist lands.
    migrations: MIGRATIONS,
    // The schema changes only through migrations; CI checks they match the entities.
    synchronize: false,
    migrationsRun: false,
    extra: { max: poolMax },
  };
}

export function createDataSource(url: string, poolMax?: number): DataSource {
  return new DataSource(dataSourceOptions(url, poolMax));
}

const cfg = loadConfig();
/** Used by the TypeORM CLI (`npm run migration:*`). */
export default createDataSource(cfg.DATABASE_URL, cfg.DB_POOL_MAX);
