import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { ENTITIES } from './entities';

export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    // Imported, not globbed, so every app's build carries them wherever dist lands.
    migrations: MIGRATIONS,
    // The schema changes only through migrations; CI checks they match the entities.
    synchronize: false,
    migrationsRun: false,
    extra: { max: Number(process.env.DB_POOL_MAX ?? 10) },
  };
}

export function createDataSource(url: string): DataSource {
  return new DataSource(dataSourceOptions(url));
}

/** Used by the TypeORM CLI (`npm run migration:*`). */
export default createDataSource(
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/clipline',
);
